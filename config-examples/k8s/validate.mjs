// Validates Kubernetes manifests against the Kubernetes OpenAPI schema (kubernetes-models).
// Usage: node validate.mjs [FILE…]   (default: every *.yaml here). Exit 1 on the first problem.
import { readFileSync, readdirSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as core from "kubernetes-models/v1";
import * as apps from "kubernetes-models/apps/v1";

const models = { "v1": core, "apps/v1": apps };
const files = process.argv.length > 2 ? process.argv.slice(2)
  : readdirSync(new URL(".", import.meta.url)).filter(f => f.endsWith(".yaml")).map(f => new URL(f, import.meta.url).pathname);
let problems = 0;
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const json = doc.toJS();
    const Model = models[json.apiVersion]?.[json.kind];
    try {
      if (!Model) throw new Error(`no schema for ${json.apiVersion} ${json.kind}`);
      new Model(json).validate();
      console.log(`ok: ${file}: ${json.kind} ${json.metadata?.name}`);
    } catch (e) {
      problems++;
      console.error(`invalid: ${file}: ${json.kind} ${json.metadata?.name}: ${e.message}`);
    }
  }
}
process.exit(problems ? 1 : 0);
