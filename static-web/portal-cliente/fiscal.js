// Régimen fiscal y uso del CFDI del alta: solo los pares que el servidor acepta, según el tipo de persona que
// indica el RFC (13 caracteres física, 12 moral), de GET /api/catalogo/regimenes-fiscales (issue 21).
import { api, lista } from '../comun/api.js';
import { h } from '../comun/ui.js';

const cache = new Map();
const catalogo = (tipo) => {
  if (!cache.has(tipo)) cache.set(tipo, api.get(`/api/catalogo/regimenes-fiscales?tipo=${tipo}`).then(lista).catch((e) => { cache.delete(tipo); throw e; }));
  return cache.get(tipo);
};

const opciones = (select, lista, elegido) => {
  select.replaceChildren(...lista.map((x) => h('option', { value: x.clave }, `${x.clave} ${x.descripcion}`)));
  if (lista.some((x) => x.clave === elegido)) select.value = elegido;
};

/** Enlaza los selects regimenFiscal y usoCfdi del formulario con su RFC; conserva lo elegido si sigue siendo válido. */
export function enlazarParesFiscales(form, guardado = {}) {
  const { rfc, regimenFiscal, usoCfdi } = form.elements;
  if (!rfc || !regimenFiscal || !usoCfdi) return;
  let regimenes = [];
  const pintarUsos = (elegido) => opciones(usoCfdi, regimenes.find((r) => r.clave === regimenFiscal.value)?.usos ?? [], elegido);
  const cargar = async () => {
    const tipo = rfc.value.trim().length === 12 ? 'moral' : 'fisica';
    try {
      regimenes = await catalogo(tipo);
      opciones(regimenFiscal, regimenes, regimenFiscal.value || guardado.regimenFiscal);
      pintarUsos(usoCfdi.value || guardado.usoCfdi);
    } catch { /* sin catálogo se queda lo que hay; el servidor nombrará el campo */ }
  };
  rfc.addEventListener('change', cargar);
  regimenFiscal.addEventListener('change', () => pintarUsos(usoCfdi.value));
  cargar();
}
