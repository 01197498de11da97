// `node --import ./scripts/record-modules.mjs …` appends the URL of every ES
// module the process loads to the file named by TE_LOADED_MODULES (one a
// line). Used to show which cloud SDK chunks a run loads.
import { register } from 'node:module';

if (process.env.TE_LOADED_MODULES) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      export async function load(url, context, next) {
        appendFileSync(${JSON.stringify(process.env.TE_LOADED_MODULES)}, url + '\\n');
        return next(url, context);
      }
    `)}`,
  );
}
