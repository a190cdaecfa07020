// Sums vitest's and Playwright's JSON reports into one closing line, and fails when any
// step failed, any test failed, or a report is missing (a suite that ran no test).
import { existsSync, readFileSync } from 'node:fs';

const [vitestFile, playwrightFile, ...failedSteps] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = failedSteps.map((s) => `step failed: ${s}`);

function read(file) {
  if (!existsSync(file)) {
    problems.push(`no report: ${file}`);
    return undefined;
  }
  return JSON.parse(readFileSync(file, 'utf8'));
}

const vitest = read(vitestFile);
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  skipped += vitest.numPendingTests + vitest.numTodoTests;
  if (vitest.numTotalTests === 0) problems.push('vitest ran no test');
}

const playwright = read(playwrightFile);
if (playwright) {
  const s = playwright.stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
  if (s.expected + s.unexpected + s.flaky === 0) problems.push('playwright ran no test');
}

for (const p of problems) console.log(p);
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(problems.length > 0 || failed > 0 ? 1 : 0);
