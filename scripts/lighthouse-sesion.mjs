// Lighthouse over pages that need a session (issue 21): signs in through the API as each role, leaves the token where
// the portals keep it (sessionStorage of the same tab) and lets Lighthouse load the page in that tab, with storage
// reset off so the session survives. Same Lighthouse (npm, package.json) and Chromium as scripts/lighthouse.sh.
//   node scripts/lighthouse-sesion.mjs <base-url> <password> <minimo> portal:usuario:vista ...
// Prints one line per page (performance, accessibility, best practices, SEO) and exits 1 when a score is below <minimo>.
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [base, password, minimoTexto, ...paginas] = process.argv.slice(2);
const minimo = Number(minimoTexto);
const banderas = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function sesion(usuario) {
  const post = await fetch(`${base}/api/auth/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ usuario, password }) });
  if (!post.ok) throw new Error(`No se pudo iniciar sesión como ${usuario}: ${post.status} ${await post.text()}`);
  const { accessToken } = await post.json();
  const yo = await fetch(`${base}/api/auth/yo`, { headers: { Authorization: `Bearer ${accessToken}` } });
  return { token: accessToken, usuario: await yo.json() };
}

const navegador = await puppeteer.launch({ executablePath: process.env.CHROME_PATH, args: banderas, headless: true });
let falla = false;
try {
  for (const p of paginas) {
    const [portal, usuario, vista] = p.split(':');
    const s = await sesion(usuario);
    const contexto = await navegador.createBrowserContext();
    const pagina = await contexto.newPage();
    await pagina.goto(`${base}/${portal}/#/ingresar`);
    await pagina.evaluate((t, u) => { sessionStorage.setItem('telecable.token', t); sessionStorage.setItem('telecable.usuario', JSON.stringify(u)); }, s.token, s.usuario);
    const r = await lighthouse(`${base}/${portal}/#/${vista}`, {
      output: 'json', logLevel: 'error', disableStorageReset: true,
      onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    }, undefined, pagina);
    const c = r.lhr.categories;
    const puntos = [c.performance, c.accessibility, c['best-practices'], c.seo].map((x) => Math.round(x.score * 100));
    console.log(`${`${portal}/#/${vista} (${usuario})`.padEnd(44)} ${puntos.map((x) => String(x).padStart(6)).join(' ')}`);
    for (const [clave, cat] of Object.entries(c)) {
      if (Math.round(cat.score * 100) >= minimo) continue;
      falla = true;
      const malas = cat.auditRefs.filter((a) => a.weight > 0 && (r.lhr.audits[a.id].score ?? 1) < 1).map((a) => a.id);
      console.log(`  ${clave} < ${minimo}: ${malas.join(', ')}`);
    }
    await contexto.close();
  }
} finally {
  await navegador.close();
}
process.exit(falla ? 1 : 0);
