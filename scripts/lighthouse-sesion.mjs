// Lighthouse over every page of the site (issue 21), with or without a session: for a signed-in page it signs in through
// the API as the role, leaves the token where the portals keep it (sessionStorage of the same tab) and lets Lighthouse
// load the page in that tab, with storage reset off so the session survives. Every page gets a fresh browser context.
// Same Lighthouse (npm, package.json) and Chromium as scripts/lighthouse.sh.
//   node scripts/lighthouse-sesion.mjs <base-url> <password> <minimo> ruta[@usuario] ...
//     ruta: what follows the host (portal-cliente/#/facturas, "/" for the front page); usuario: a demo user, or none.
// Prints one line per page (four scores, the 1-minute load average when it was measured and Lighthouse's CPU benchmark
// index) and, for a category under
// <minimo>, the audits that cost points with the figures that explain a performance loss (TBT, LCP, main-thread work).
// LIGHTHOUSE_INFORMES=<dir> keeps each page's JSON report there. Exits 1 when a score is below <minimo>.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [base, password, minimoTexto, ...paginas] = process.argv.slice(2);
const minimo = Number(minimoTexto);
const informes = process.env.LIGHTHOUSE_INFORMES;
if (informes) mkdirSync(informes, { recursive: true });
const banderas = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function sesion(usuario) {
  const post = await fetch(`${base}/api/auth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ usuario, password }) });
  if (!post.ok) throw new Error(`No se pudo iniciar sesión como ${usuario}: ${post.status} ${await post.text()}`);
  const { accessToken } = await post.json();
  const yo = await fetch(`${base}/api/auth/yo`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return { token: accessToken, usuario: await yo.json() };
}

// What explains a performance score: the metrics Lighthouse weighs and the diagnostics behind total blocking time.
function diagnostico(a) {
  const ms = (id) => `${Math.round(a[id]?.numericValue ?? 0)} ms`;
  const lcp = a['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node?.snippet ?? '?';
  return [`FCP ${ms('first-contentful-paint')}`, `LCP ${ms('largest-contentful-paint')} (${lcp.slice(0, 60)})`, `TBT ${ms('total-blocking-time')}`,
    `CLS ${(a['cumulative-layout-shift']?.numericValue ?? 0).toFixed(3)}`, `hilo principal ${ms('mainthread-work-breakdown')}`,
    `JS ${ms('bootup-time')}`, `JS sin usar ${Math.round((a['unused-javascript']?.details?.overallSavingsBytes ?? 0) / 1024)} KiB`,
    `bloqueantes ${a['render-blocking-resources']?.details?.items?.length ?? 0}`].join(', ');
}

const navegador = await puppeteer.launch({ executablePath: process.env.CHROME_PATH, args: banderas, headless: true });
let falla = false;
try {
  for (const spec of paginas) {
    const [ruta, usuario] = spec.split('@');
    const url = `${base}/${ruta.replace(/^\//, '')}`;
    const contexto = await navegador.createBrowserContext();
    const pagina = await contexto.newPage();
    if (usuario) {
      const s = await sesion(usuario);
      await pagina.goto(`${url.split('#')[0]}#/ingresar`);
      await pagina.evaluate((t, u) => { sessionStorage.setItem('telecable.token', t); sessionStorage.setItem('telecable.usuario', JSON.stringify(u)); }, s.token, s.usuario);
    }
    const carga = loadavg()[0].toFixed(1);
    const r = await lighthouse(url, {
      output: 'json', logLevel: 'error', disableStorageReset: true,
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    }, undefined, pagina);
    const c = r.lhr.categories;
    const puntos = [c.performance, c.accessibility, c['best-practices'], c.seo].map((x) => Math.round(x.score * 100));
    const nombre = `${ruta}${usuario ? ` (${usuario})` : ''}`;
    // Lighthouse's own CPU benchmark of this machine at that moment: ~1000 or more on an idle desktop-class machine,
    // far less when other work shares the cores (its 4x CPU throttling multiplies whatever the tasks took).
    const indice = Math.round(r.lhr.environment?.benchmarkIndex ?? 0);
    console.log(`${nombre.padEnd(52)} ${puntos.map((x) => String(x).padStart(5)).join(' ')}  carga ${carga}, índice CPU ${indice}`);
    if (informes) writeFileSync(`${informes}/${nombre.replace(/[^\w]+/g, '-')}.json`, JSON.stringify(r.lhr));
    for (const [clave, cat] of Object.entries(c)) {
      if (Math.round(cat.score * 100) >= minimo) continue;
      falla = true;
      const malas = cat.auditRefs.filter((a) => a.weight > 0 && (r.lhr.audits[a.id].score ?? 1) < 1).map((a) => a.id);
      console.log(`  ${clave} < ${minimo}: ${malas.join(', ')}`);
      if (clave === 'performance') console.log(`    ${diagnostico(r.lhr.audits)}`);
    }
    await contexto.close();
  }
} finally {
  await navegador.close();
}
process.exit(falla ? 1 : 0);
