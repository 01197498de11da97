import { createRequire as __teCreateRequire } from 'node:module'; import { fileURLToPath as __teFileURLToPath } from 'node:url'; import { dirname as __teDirname } from 'node:path'; const require = __teCreateRequire(import.meta.url); const __teFilenameValue = __teFileURLToPath(import.meta.url); const __teDirnameValue = __teDirname(__teFilenameValue);
import {
  UserError,
  UserErrors
} from "./chunk-IAZJZTPR.js";

// src/providers/cloud/sizes.ts
var CATALOGUE_RETRY = { deadlineMs: 6e4 };
function providerSizeCatalogue(provider, sizer, credentials) {
  return {
    provider,
    credentialSource: credentials.credentialSource,
    credentialsHint: credentials.credentialsHint,
    async check(sites, plan, ctx) {
      const rows = [];
      for (const site of sites.filter((s) => s.provider === provider)) {
        rows.push(...await sizer.sizes(site, plan, ctx));
      }
      return rows;
    }
  };
}
var ROLES = ["master", "worker", "edge"];
function formatGiB(mib) {
  const gib = mib / 1024;
  return `${Number.isInteger(gib) ? gib : gib.toFixed(2).replace(/0+$/, "")} GiB`;
}
function typeField(site, plan, role, type) {
  const provider = site.provider;
  const defaults = provider === "aws" || provider === "gcp" || provider === "azure" ? plan.profile["instance-types"][provider] : void 0;
  return defaults?.[role] === type ? `profile ${plan.profile.name}'s instance-types.${provider}.${role}` : `sites[${site.index}].nodes.${role}-type`;
}
function checkSiteSizes(site, plan, catalogue, source, bootDiskGiB) {
  const checks = [];
  for (const role of ROLES) {
    const hosts = site.hosts.filter((h) => h.role === role);
    const type = hosts[0]?.instanceType;
    if (!type) continue;
    const info = catalogue.get(type);
    if (!info) throw new Error(`catalogue lookup for ${type} returned nothing`);
    const min = plan.profile.minimums[role];
    const field = typeField(site, plan, role, type);
    const diskGiB = bootDiskGiB(role);
    const check = {
      site: site.name,
      siteIndex: site.index,
      role,
      hosts: hosts.map((h) => h.name),
      type,
      field,
      memoryMiB: info.memoryMiB,
      diskGiB,
      minMemoryGiB: min["memory-gib"],
      minDiskGiB: min["disk-gib"],
      ok: true
    };
    if (info.vcpus !== void 0) check.vcpus = info.vcpus;
    if (info.localDiskGiB !== void 0) check.localDiskGiB = info.localDiskGiB;
    const problems = [];
    if (info.memoryMiB < min["memory-gib"] * 1024) {
      problems.push(
        `${field} ${type} has ${formatGiB(info.memoryMiB)} of memory (${source.cloud} ${source.call}: ${info.memoryMiB} MiB), below profile ${plan.profile.name}'s minimum of ${min["memory-gib"]} GiB for a ${role}`
      );
    }
    if (diskGiB < min["disk-gib"]) {
      problems.push(
        `the ${role} boot disk of site "${site.name}" would be ${diskGiB} GiB, below the minimum of ${min["disk-gib"]} GiB`
      );
    }
    if (problems.length) {
      check.ok = false;
      const fix = plan.profile["instance-types"][site.provider]?.[role] ?? "";
      check.problem = `site "${site.name}": ${problems.join("; ")}; choose a type with at least ${min["memory-gib"]} GiB${fix && fix !== type ? ` (the profile's default is ${fix})` : ""}.`;
    }
    checks.push(check);
  }
  return checks;
}
function refuseUndersized(checks) {
  const bad = checks.filter((c) => !c.ok);
  if (bad.length === 1) throw new UserError(bad[0].problem);
  if (bad.length > 1) throw new UserErrors(bad.map((c) => new UserError(c.problem)));
}
function sizeTable(checks) {
  return checks.map((c) => {
    const disk = `${c.diskGiB} GiB boot disk${c.localDiskGiB ? ` + ${c.localDiskGiB} GiB local` : ""}`;
    const cpus = c.vcpus !== void 0 ? `${c.vcpus} vCPU, ` : "";
    const verdict = c.ok ? `ok (minimum ${c.minMemoryGiB} GiB / ${c.minDiskGiB} GiB)` : `REFUSED: below the minimum ${c.minMemoryGiB} GiB / ${c.minDiskGiB} GiB`;
    return `  ${c.site.padEnd(16)} ${c.role.padEnd(6)} ${c.type.padEnd(18)} ${cpus}${formatGiB(c.memoryMiB)} memory, ${disk}: ${verdict}`;
  });
}

export {
  CATALOGUE_RETRY,
  providerSizeCatalogue,
  typeField,
  checkSiteSizes,
  refuseUndersized,
  sizeTable
};
