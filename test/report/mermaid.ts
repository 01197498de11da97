/**
 * Mermaid, the renderer GitHub uses for ```mermaid blocks, run in a jsdom
 * window: parses a gantt chart and returns its tasks as Mermaid computes them.
 */
import { JSDOM } from 'jsdom';

export interface GanttTask {
  task: string;
  start: number;
  end: number;
  done: boolean;
  crit: boolean;
  active: boolean;
}

type MermaidApi = {
  parse(text: string): Promise<unknown>;
  mermaidAPI: {
    getDiagramFromText(text: string): Promise<{
      db: {
        getTasks(): {
          task: string;
          startTime: Date;
          endTime: Date;
          done?: boolean;
          crit?: boolean;
          active?: boolean;
        }[];
      };
    }>;
  };
};

let mermaid: MermaidApi | undefined;
let dom: JSDOM | undefined;
const g = globalThis as Record<string, unknown>;

let savedTz: string | undefined;

async function load(): Promise<MermaidApi> {
  if (!mermaid) {
    // the chart's times are UTC wall-clock times; Mermaid reads them in the local zone
    savedTz = process.env.TZ;
    process.env.TZ = 'UTC';
    dom = new JSDOM('<!doctype html><html><body></body></html>');
    g.window = dom.window;
    g.document = dom.window.document;
    mermaid = (await import('mermaid')).default as unknown as MermaidApi;
  }
  return mermaid;
}

/** Remove the jsdom globals (afterAll). */
export function unloadMermaid(): void {
  dom?.window.close();
  delete g.window;
  delete g.document;
  dom = undefined;
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
}

/** The first ```mermaid block of a markdown text. */
export function mermaidBlock(markdown: string): string {
  const m = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
  if (!m) throw new Error('no mermaid block in the markdown');
  return m[1]!;
}

export async function ganttTasks(chart: string): Promise<GanttTask[]> {
  const api = await load();
  await api.parse(chart); // throws on a syntax error
  const diagram = await api.mermaidAPI.getDiagramFromText(chart);
  return diagram.db.getTasks().map((t) => ({
    task: t.task.trim(),
    start: t.startTime.getTime(),
    end: t.endTime.getTime(),
    done: !!t.done,
    crit: !!t.crit,
    active: !!t.active,
  }));
}
