// Gráficas con Chart.js (210 KB, servido desde /vendor, sin CDN): se descarga y se evalúa una sola vez, y sólo cuando
// una gráfica se acerca a la vista. Evaluarlo ocupa el hilo principal varios cientos de milisegundos en un teléfono, y las
// gráficas quedan debajo de las cifras: quien no baja hasta ellas no lo paga (Lighthouse: total blocking time).
import { h } from './ui.js';

let chartJs;
const cargarChart = () => (chartJs ??= new Promise((ok, mal) => {
  const s = h('script', { src: '/vendor/chart.umd.min.js' });
  s.onload = () => ok(window.Chart);
  s.onerror = () => { chartJs = undefined; mal(new Error('No se pudo cargar la biblioteca de gráficas.')); };
  document.head.append(s);
}));

/** Dibuja la gráfica en el lienzo cuando éste llega a 200 px de la vista; si la biblioteca no carga, lo dice en su lugar. */
export function graficarAlVerse(lienzo, configuracion) {
  const observador = new IntersectionObserver((entradas) => {
    if (!entradas.some((e) => e.isIntersecting)) return;
    observador.disconnect();
    cargarChart().then(
      (Chart) => { if (lienzo.isConnected) new Chart(lienzo, configuracion); },
      (e) => lienzo.replaceWith(h('p', { class: 'error', role: 'alert' }, e.message)));
  }, { rootMargin: '200px' });
  observador.observe(lienzo);
}
