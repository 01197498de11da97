import { readDoc } from '../docs/readDoc.js';
import { docSteps } from '../docs/steps.js';
import { readFile } from 'node:fs/promises';
import { loadSiteFile, runnableErrors } from '../config/load.js';
import type { ConfigOverrides } from '../config/load.js';
import { UserError, UserErrors } from '../errors.js';
import { renderedCommands } from '../fabric/tungsten/install/steps.js';
import { planToJson, planToText } from '../plan/format.js';
import type { PlanJson } from '../plan/format.js';
import { buildPlanFromConfig } from '../plan/plan.js';
import { renderSiteManifest } from '../plan/render/site.js';
import type { CatalogueLoader } from '../providers/catalogues.js';
import {
  checkCloudSizes,
  cloudsOf,
  cloudSizesText,
  OFFLINE_NOTE,
  refuseUndersizedRows,
} from './cloudSizes.js';
import type { CloudSizes } from './cloudSizes.js';
import type { CommandIO } from './io.js';
import { writeInto } from './outputFiles.js';

export const PLAN_JSON = 'plan.json';

export function planJsonText(json: PlanJson): string {
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** plan.json into a directory the user named (`label`: the flag or input it came from); its path. */
export async function writePlanJson(dir: string, label: string, json: PlanJson): Promise<string> {
  const [path] = await writeInto(dir, label, { [PLAN_JSON]: planJsonText(json) });
  return path!;
}

export interface PlanOptions {
  sites: string;
  sitesLabel?: string;
  overrides?: ConfigOverrides;
  json?: boolean;
  /** a TF manifest file to render for every site (the docs gate renders a changed manifest) */
  manifest?: string;
  /** where rendered files go: <out>/<site>/tf.yaml and kubeadm.yaml */
  out?: string;
  /** ask each cloud's catalogue for the real sizes of the planned instance types */
  checkCloud?: boolean;
  /** print, per host and step, the install's files and scripts (the tungsten fabric's sites) */
  commands?: boolean;
  /** with commands: a doc whose marked steps replace the TF apply (run --doc) */
  doc?: string;
  /** the catalogues to ask (tests pass ones with a fake transport) */
  catalogues?: Partial<Record<string, CatalogueLoader>>;
}

export async function planCommand(
  options: PlanOptions,
  io: CommandIO,
): Promise<PlanJson & { cloudSizes?: CloudSizes }> {
  if (options.doc && !options.commands) {
    throw new UserError(
      "plan --doc shows a doc's steps in the install; it goes with --commands (plan --sites F --commands --doc FILE).",
    );
  }
  const config = await loadSiteFile(options.sites, options.overrides, options.sitesLabel);
  const unrunnable = runnableErrors(config);
  if (unrunnable.length > 0) throw new UserErrors(unrunnable);
  const plan = buildPlanFromConfig(config);
  const json: PlanJson & { cloudSizes?: CloudSizes } = planToJson(plan);
  if (options.checkCloud) json.cloudSizes = await checkCloudSizes(plan, io, options.catalogues);

  let manifestText: string | undefined;
  if (options.manifest) {
    try {
      manifestText = await readFile(options.manifest, 'utf8');
    } catch {
      throw new UserError(
        `${options.manifest}: cannot read the manifest; pass the path of a TF manifest file.`,
      );
    }
  }
  const rendered = plan.sites.map((site) => ({
    site,
    manifest:
      manifestText === undefined
        ? undefined
        : renderSiteManifest(manifestText, options.manifest!, plan, site),
  }));

  if (options.out) {
    const files: Record<string, string> = {};
    for (const { site, manifest } of rendered) {
      files[`${site.name}/kubeadm.yaml`] = site.kubeadm.config;
      if (manifest !== undefined) files[`${site.name}/tf.yaml`] = manifest;
    }
    files[PLAN_JSON] = planJsonText(json);
    await writeInto(options.out, '--out', files);
  }

  if (options.commands) {
    // secrets are never needed to show them: a password file shows as ***
    const steps = options.doc ? docSteps(await readDoc(options.doc), options.doc) : [];
    const commands = renderedCommands(plan, { registryPassword: '***' }, steps);
    if (commands.length === 0) {
      throw new UserError(
        'plan --commands shows the install on cloud and static sites (the tungsten fabric); every site here is local, which runs the emulated fabric.',
      );
    }
    if (options.json) io.stdout(`${JSON.stringify(commands, null, 2)}\n`);
    else {
      for (const c of commands) {
        io.stdout(`### ${c.site} / ${c.host} / ${c.step}\n${c.script}\n\n`);
      }
    }
    for (const w of plan.warnings) io.logger.warn(w);
    return json;
  }

  if (options.json) {
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    for (const w of plan.warnings) io.logger.warn(w);
  } else {
    io.stdout(`${planToText(plan)}\n`);
    if (manifestText !== undefined) {
      io.stdout(
        `manifest ${options.manifest} renders for ${plan.sites.length} sites with no placeholder left.\n`,
      );
    }
    if (options.out)
      io.stdout(`wrote ${options.out}/plan.json and per-site files under ${options.out}/\n`);
    if (json.cloudSizes) io.stdout(`${cloudSizesText(json.cloudSizes)}\n`);
    else if (cloudsOf(plan).length) io.stdout(`${OFFLINE_NOTE}\n`);
  }
  for (const note of plan.profile.unverified)
    io.logger.debug(`unverified in profile ${plan.profile.name}: ${note}`);
  if (json.cloudSizes) refuseUndersizedRows(json.cloudSizes);
  return json;
}
