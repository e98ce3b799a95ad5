// Customer sign-up load: autocannon posts POST /api/altas (what the customer portal's sign-up sends)
// from C connections for S seconds. Each new request carries a customer no one sent before (unique
// RFC with a valid check digit, e-mail, phone) and its own Idempotency-Key; a share R of the requests
// re-send, from any connection, an earlier accepted request with the same key and the same body, as
// a retrying browser would. A re-send must get the stored answer (202, Idempotent-Replayed, same id).
// Prints throughput, p50/p95/p99, status codes and errors, and writes every new sign-up sent (key,
// RFC, what came back: the status, or none for requests still in flight when the time ran out) as CSV
// for the database checks of bench/AltaCarga.sh.
//   node bench/AltaCarga/carga.mjs --url http://127.0.0.1:PORT --segundos 60 --conexiones 32 --reenvio 0.1 --salida FILE
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';

const args = Object.fromEntries(process.argv.slice(2).reduce((pares, v, i, a) => (v.startsWith('--') ? [...pares, [v.slice(2), a[i + 1]]] : pares), []));
const url = args.url ?? 'http://127.0.0.1:7071';
const segundos = Number(args.segundos ?? 60);
const conexiones = Number(args.conexiones ?? 32);
const reenvio = Number(args.reenvio ?? 0.1);
const salida = args.salida ?? 'altas-enviadas.csv';

// SAT's modulo-11 check digit (as Telecable.Domain.Identidad.Rfc.CalcularDigitoVerificador).
const ALFABETO = '0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ';
function digitoVerificador(doce) {
  let suma = 0;
  for (let i = 0; i < 12; i++) suma += ALFABETO.indexOf(doce[i]) * (13 - i);
  const d = 11 - (suma % 11);
  return d === 11 ? '0' : d === 10 ? 'A' : String(d);
}

// Persona física RFC unique per n within a run (each run gets a fresh database): four letters from n
// in base 26, then a birth date and homoclave that change every 456,976 sign-ups and from run to run.
const LETRAS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const corrida = Math.floor(Math.random() * 1e6);
function rfc(n) {
  let letras = '';
  for (let i = 0, x = n; i < 4; i++, x = Math.floor(x / 26)) letras = LETRAS[x % 26] + letras;
  const bloque = Math.floor(n / 456_976) + corrida;
  const fecha = `${String(60 + (bloque % 40)).padStart(2, '0')}${String(1 + (bloque % 12)).padStart(2, '0')}${String(1 + (bloque % 28)).padStart(2, '0')}`;
  const homoclave = LETRAS[Math.floor(bloque / 40) % 26] + String(Math.floor(bloque / 1040) % 10);
  const doce = letras + fecha + homoclave;
  return doce + digitoVerificador(doce);
}

// Plans priced in the zone of these postal codes in the demo seed (Monterrey Centro).
const CPS = ['64000', '64060', '64460'];
const PLANES = ['00000000-0000-0000-0000-000000002001', '00000000-0000-0000-0000-000000002002', '00000000-0000-0000-0000-000000002003'];
let siguiente = 0;
function nuevaAlta() {
  const n = siguiente++;
  const cp = CPS[n % CPS.length];
  const rfcCliente = rfc(n);
  const cuerpo = JSON.stringify({
    planId: PLANES[n % PLANES.length],
    cliente: {
      nombre: `CLIENTE CARGA ${n}`, rfc: rfcCliente, email: `carga.${corrida}.${n}@example.com`, telefono: `81${String(n % 1e8).padStart(8, '0')}`,
      regimenFiscal: '612', usoCfdi: 'G03', cpFiscal: cp,
      domicilio: { calle: 'Av. Constitución', numeroExterior: String(100 + (n % 900)), colonia: 'Monterrey Centro', cp },
      consentimiento: { avisoPrivacidadVersion: '2026-01', aceptaMarketing: false, origen: 'portal_cliente' },
    },
    franjaHoraria: n % 2 ? 'matutina' : 'vespertina',
  });
  return { clave: randomUUID(), rfc: rfcCliente, cuerpo };
}

const enviadas = []; // every new sign-up: { clave, rfc, cuerpo, status, id }
const aceptadas = []; // those answered 202: what a browser could re-send
const cuenta = { nuevas: 0, reenvios: 0, reenviosRepetidos: 0, reenviosDistintos: 0, cincoxx: 0, otros: {} };
const encabezado = (h, nombre) => Object.entries(h).find(([k]) => k.toLowerCase() === nombre)?.[1];

const instancia = autocannon({
  url, connections: conexiones, duration: segundos, timeout: 30,
  method: 'POST', headers: { 'content-type': 'application/json' },
  requests: [{
    path: '/api/altas',
    setupRequest(req, ctx) {
      const previa = aceptadas.length > 0 && Math.random() < reenvio ? aceptadas[Math.floor(Math.random() * aceptadas.length)] : null;
      ctx.alta = previa ?? nuevaAlta();
      ctx.esReenvio = previa !== null;
      if (!ctx.esReenvio) enviadas.push(ctx.alta);
      return { ...req, body: ctx.alta.cuerpo, headers: { ...req.headers, 'idempotency-key': ctx.alta.clave } };
    },
    onResponse(status, cuerpo, ctx, headers) {
      if (status >= 500) cuenta.cincoxx++;
      if (ctx.esReenvio) {
        cuenta.reenvios++;
        if (status !== 202) { cuenta.otros[`re-send ${status}`] = (cuenta.otros[`re-send ${status}`] ?? 0) + 1; return; }
        // A re-send that starts a second sign-up would answer with a fresh (not replayed) response.
        const id = JSON.parse(cuerpo).id;
        if (encabezado(headers, 'idempotent-replayed') === 'true' && id === ctx.alta.id) cuenta.reenviosRepetidos++;
        else cuenta.reenviosDistintos++;
        return;
      }
      cuenta.nuevas++;
      ctx.alta.status = status;
      if (status === 202) {
        ctx.alta.id = JSON.parse(cuerpo).id;
        aceptadas.push(ctx.alta);
      } else cuenta.otros[`new ${status}`] = (cuenta.otros[`new ${status}`] ?? 0) + 1;
    },
  }],
});
process.once('SIGINT', () => instancia.stop());
// autocannon's histogram has no p95: keep every response time (a few tens of thousands) instead.
const tiempos = [];
instancia.on('response', (_cliente, _status, _bytes, ms) => tiempos.push(ms));

const r = await instancia;
const codigos = Object.entries(r.statusCodeStats).map(([c, v]) => `${c}: ${v.count}`).join(', ');
const total = tiempos.length;
tiempos.sort((a, b) => a - b);
const p = (q) => (total ? tiempos[Math.min(total - 1, Math.ceil(q * total) - 1)].toFixed(0) : 'n/a');
console.log(`POST /api/altas, ${conexiones} connections, ${r.duration.toFixed(1)} s, ${Math.round(reenvio * 100)} % re-sends with the same key and body`);
console.log(`  throughput      ${(total / r.duration).toFixed(1)} req/s (${total} responses; accepted sign-ups ${(aceptadas.length / r.duration).toFixed(1)}/s)`);
console.log(`  latency         p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, p99 ${p(0.99)} ms, max ${total ? tiempos[total - 1].toFixed(0) : 'n/a'} ms`);
console.log(`  status codes    ${codigos || 'none'}`);
console.log(`  new sign-ups    ${enviadas.length} sent, ${aceptadas.length} accepted (202), ${enviadas.length - cuenta.nuevas} still in flight when the time ran out`);
console.log(`  re-sends        ${cuenta.reenvios} sent, ${cuenta.reenviosRepetidos} answered with the stored response (Idempotent-Replayed, same id), ${cuenta.reenviosDistintos} with another`);
console.log(`  errors          ${r.errors} connection errors, ${r.timeouts} timeouts, ${cuenta.cincoxx} 5xx, non-2xx ${JSON.stringify(cuenta.otros)}`);
writeFileSync(salida, enviadas.map((a) => `${a.clave},${a.rfc},${a.status ?? ''},${a.id ?? ''}`).join('\n') + (enviadas.length ? '\n' : ''));

// Correctness only: speed is reported, never judged here.
const fallas = [];
if (cuenta.cincoxx > 0) fallas.push(`${cuenta.cincoxx} responses 5xx`);
if (cuenta.reenviosDistintos > 0) fallas.push(`${cuenta.reenviosDistintos} re-sends not answered with the stored response`);
if (aceptadas.length === 0) fallas.push('no sign-up was accepted');
if (fallas.length) console.log(`  FAILED: ${fallas.join('; ')}`);
process.exit(fallas.length ? 1 : 0);
