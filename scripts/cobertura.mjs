// Prints line and branch coverage per project from ReportGenerator's JsonSummary next to the targets
// of issue #10 and exits with the number of targets not met (0 = all met), so scripts/test.sh can
// count them as failures. Usage: node scripts/cobertura.mjs reports/coverage/Summary.json
import { readFileSync } from 'node:fs';

// Targets apply to the app's layers with logic of their own; Infrastructure (adapters to PostgreSQL,
// blobs, Service Bus) is reported without one, as the issue states.
const METAS = {
  'Telecable.Domain': { linea: 90, rama: 80 },
  'Telecable.Infrastructure': null,
  'Telecable.Orchestrations': { linea: 90, rama: 80 },
  'Telecable.Functions': { linea: 90, rama: 80 },
};

const ruta = process.argv[2] ?? 'reports/coverage/Summary.json';
const resumen = JSON.parse(readFileSync(ruta, 'utf8'));
const porNombre = new Map(resumen.coverage.assemblies.map((a) => [a.name, a]));
const pct = (v) => (v === null || v === undefined ? '   n/a' : `${v.toFixed(1).padStart(5)} %`);
const fraccion = (c, t) => `(${c}/${t})`.padEnd(13);

let incumplidas = 0;
console.log('Coverage by project: line (covered/coverable) and branch (covered/total), against the targets');
for (const [nombre, meta] of Object.entries(METAS)) {
  const a = porNombre.get(nombre);
  if (!a) {
    console.log(`  ${nombre.padEnd(26)} no coverage data: its tests did not run       FAILED`);
    if (meta) incumplidas++;
    continue;
  }
  let veredicto = 'no target';
  if (meta) {
    const faltas = [];
    if (!(a.coverage >= meta.linea)) faltas.push(`line < ${meta.linea} %`);
    if (!(a.branchcoverage >= meta.rama)) faltas.push(`branch < ${meta.rama} %`);
    incumplidas += faltas.length;
    veredicto = `target ${meta.linea} / ${meta.rama}: ${faltas.length ? `NOT MET (${faltas.join(', ')})` : 'met'}`;
  }
  console.log(`  ${nombre.padEnd(26)} line ${pct(a.coverage)} ${fraccion(a.coveredlines, a.coverablelines)} branch ${pct(a.branchcoverage)} ${fraccion(a.coveredbranches, a.totalbranches)} ${veredicto}`);
}
const s = resumen.summary;
console.log(`  ${'total'.padEnd(26)} line ${pct(s.linecoverage)} ${fraccion(s.coveredlines, s.coverablelines)} branch ${pct(s.branchcoverage)} ${fraccion(s.coveredbranches, s.totalbranches)}`);
process.exit(Math.min(incumplidas, 100));
