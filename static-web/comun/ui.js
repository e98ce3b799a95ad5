// Utilidades de interfaz: construcción segura de nodos (sin innerHTML con datos), avisos aria-live,
// errores problem+json junto a su campo, tablas.
import { ErrorApi, tituloPorEstado } from './api.js';
import { legible } from './etiquetas.js';

/** h('p', {class:'x'}, 'texto', otroNodo) */
export function h(etiqueta, atributos = {}, ...hijos) {
  const el = document.createElement(etiqueta);
  for (const [k, v] of Object.entries(atributos || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of hijos.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** Anuncia un mensaje de estado (región aria-live del portal). */
export function anunciar(texto) {
  const r = document.getElementById('estado');
  if (r) r.textContent = texto;
}

/** Muestra un error de la API: título/detalle en la caja del formulario y cada error de campo junto al campo. */
export function mostrarError(contenedor, error, formulario) {
  limpiarErrores(formulario);
  const e = error instanceof ErrorApi ? error : new ErrorApi(-1, { title: 'Error inesperado', detail: String(error?.message || error) });
  const titulo = e.status === 403 ? 'No tiene permiso' : (e.titulo || tituloPorEstado(e.status));
  const detalle = e.status === 403 ? (e.detalle || 'No tiene permiso para realizar esta operación.') : e.detalle;
  const sinCampo = [];
  for (const [campo, motivos] of Object.entries(e.errores || {})) {
    // "cliente.usoCfdi" (a nested field of the API) is the form's "usoCfdi".
    const control = formulario?.querySelector(`[name="${CSS.escape(campo)}"]`) ?? formulario?.querySelector(`[name="${CSS.escape(campo.split('.').at(-1))}"]`);
    if (control) marcarCampo(control, motivos.join(' '));
    else sinCampo.push(`${campo}: ${motivos.join(' ')}`);
  }
  const caja = h('div', { class: 'error', role: 'alert' },
    h('strong', {}, titulo), detalle ? h('p', {}, detalle) : null,
    sinCampo.length ? h('ul', {}, sinCampo.map((t) => h('li', {}, t))) : null);
  contenedor.replaceChildren(caja);
  formulario?.querySelector('[aria-invalid="true"]')?.focus();
}

export function marcarCampo(control, mensaje) {
  const id = `${control.id || control.name}-error`;
  control.setAttribute('aria-invalid', 'true');
  control.setAttribute('aria-describedby', id);
  let p = document.getElementById(id);
  if (!p) { p = h('p', { class: 'error-campo', id }); control.insertAdjacentElement('afterend', p); }
  p.textContent = mensaje;
  // Un error viejo no se queda en pantalla: en cuanto la persona cambia el campo, se quita (al salir se revalida).
  if (!control.dataset.limpiaAlCambiar) {
    control.dataset.limpiaAlCambiar = '1';
    const limpiar = () => { if (control.getAttribute('aria-invalid') === 'true') limpiarCampo(control); };
    control.addEventListener('input', limpiar);
    control.addEventListener('change', limpiar);
  }
}

export function limpiarCampo(control) {
  control.removeAttribute('aria-invalid');
  document.getElementById(`${control.id || control.name}-error`)?.remove();
}

export function limpiarErrores(formulario) {
  formulario?.querySelectorAll('[aria-invalid]').forEach(limpiarCampo);
}

/** Valida un formulario con { nombre: fn(valor) → mensaje|null }; marca los campos y devuelve si es válido. */
export function validarFormulario(formulario, reglas) {
  let ok = true;
  for (const [nombre, regla] of Object.entries(reglas)) {
    const control = formulario.elements[nombre];
    const mensaje = regla(control.type === 'checkbox' ? (control.checked ? 'si' : '') : control.value);
    if (mensaje) { marcarCampo(control, mensaje); ok = false; } else limpiarCampo(control);
  }
  if (!ok) formulario.querySelector('[aria-invalid="true"]')?.focus();
  return ok;
}

/** Validación en línea: al salir de cada campo. */
export function validarAlSalir(formulario, reglas) {
  for (const [nombre, regla] of Object.entries(reglas)) {
    const control = formulario.elements[nombre];
    control.addEventListener('blur', (ev) => {
      // Going to the submit button: the submit validates everything; marking now would shift the
      // button under the pointer between mousedown and mouseup and swallow the click.
      if (ev.relatedTarget?.type === 'submit') return;
      const m = regla(control.type === 'checkbox' ? (control.checked ? 'si' : '') : control.value);
      if (m) marcarCampo(control, m); else limpiarCampo(control);
    });
  }
}

/** Tabla accesible. columnas: [{ campo, titulo, formato?, celda? (fila → nodo) }]; un código sin formato sale con su nombre (legible):
 *  una columna de datos que parecen códigos (referencias de un proveedor) lleva su propio formato. */
export function tabla(titulo, filas, columnas) {
  if (!filas.length) return h('p', { class: 'vacio' }, `${titulo}: no hay registros.`);
  return h('div', { class: 'tabla-contenedor', tabindex: '0', role: 'region', 'aria-label': titulo },
    h('table', {},
      h('caption', {}, titulo),
      h('thead', {}, h('tr', {}, columnas.map((c) => h('th', { scope: 'col' }, c.titulo)))),
      h('tbody', {}, filas.map((f) => h('tr', {}, columnas.map((c) =>
        h('td', { 'data-titulo': c.titulo }, c.celda ? c.celda(f) : (c.formato ? c.formato(f[c.campo], f) : (legible(f[c.campo]) ?? '—')))))))));
}

export function campo(etiqueta, nombre, atributos = {}) {
  const id = atributos.id || `c-${nombre}`;
  const control = atributos.tipo === 'select'
    ? h('select', { id, name: nombre, required: atributos.required }, (atributos.opciones || []).map(([v, t]) => h('option', { value: v }, t)))
    : atributos.tipo === 'textarea'
      ? h('textarea', { id, name: nombre, required: atributos.required, rows: 3 })
      : h('input', { id, name: nombre, type: atributos.tipo || 'text', required: atributos.required, autocomplete: atributos.autocomplete,
        inputmode: atributos.inputmode, maxlength: atributos.maxlength, value: atributos.valor, pattern: atributos.pattern, min: atributos.min });
  return h('div', { class: 'campo' }, h('label', { for: id }, etiqueta), atributos.ayuda ? h('p', { class: 'ayuda', id: `${id}-ayuda` }, atributos.ayuda) : null, control);
}

/** Botón de acción: si onclick devuelve una promesa, el botón queda ocupado (deshabilitado) hasta que termine,
 *  así un doble clic no repite la acción. */
export function boton(texto, onclick, clase = '') {
  const b = h('button', { type: 'button', class: clase }, texto);
  b.addEventListener('click', (ev) => {
    const r = onclick(ev);
    if (r && typeof r.then === 'function' && !b.disabled) ocupado(b, () => r).catch(() => { /* el manejador ya mostró el error */ });
  });
  return b;
}

/** Deshabilita el botón mientras corre la acción (aria-busy: un indicador gira) y lo devuelve a su estado al terminar. */
export async function ocupado(boton, accion) {
  boton.disabled = true;
  boton.setAttribute('aria-busy', 'true');
  try { return await accion(); } finally { boton.disabled = false; boton.removeAttribute('aria-busy'); }
}

/** Los filtros de una vista viven en la URL (#/vista?clave=valor): Atrás y un enlace copiado los devuelven. */
export function filtrosDeUrl() {
  const i = location.hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : location.hash.slice(i + 1));
}

/** Va a la vista con esos filtros (los vacíos no se escriben); el portal la pinta al cambiar el hash. */
export function irConFiltros(vista, filtros) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filtros)) if (v !== '' && v !== null && v !== undefined && v !== false) q.set(k, v);
  const destino = `#/${vista}${[...q].length ? `?${q}` : ''}`;
  if (location.hash === destino) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = destino;
}

/** Pone en el formulario los filtros de la URL (campos por nombre; casillas con «si»). */
export function llenarFiltros(formulario, filtros) {
  for (const [k, v] of filtros) {
    const c = formulario.elements[k];
    if (!c) continue;
    if (c.type === 'checkbox') c.checked = v === 'si'; else c.value = v;
  }
}

/** Lee los filtros de un formulario: { nombre: valor } (casillas: «si» o vacío). */
export function valoresFiltros(formulario) {
  const r = {};
  for (const c of formulario.elements) if (c.name) r[c.name] = c.type === 'checkbox' ? (c.checked ? 'si' : '') : c.value.trim();
  return r;
}

/** Página anterior / siguiente de una página { pagina, tamano, total }; irA(n) navega. */
export function paginador(pagina, irA) {
  const paginas = Math.max(1, Math.ceil((pagina.total ?? 0) / (pagina.tamano || 1)));
  return h('nav', { class: 'paginador acciones', 'aria-label': 'Páginas' },
    h('button', { type: 'button', class: 'secundario', disabled: pagina.pagina <= 1, onclick: () => irA(pagina.pagina - 1) }, 'Página anterior'),
    h('span', { class: 'pagina-actual' }, `Página ${pagina.pagina} de ${paginas}`),
    h('button', { type: 'button', class: 'secundario', disabled: pagina.pagina >= paginas, onclick: () => irA(pagina.pagina + 1) }, 'Página siguiente'));
}

/**
 * Pide confirmar una acción destructiva en un diálogo modal (foco dentro, Escape cancela).
 * @returns {Promise<boolean>} true si la persona confirma.
 */
export function confirmar({ titulo, texto, aceptar = 'Confirmar', cancelar = 'No, volver' }) {
  return new Promise((resolver) => {
    const si = h('button', { type: 'button', class: 'peligro' }, aceptar);
    const no = h('button', { type: 'button', class: 'secundario' }, cancelar);
    const dialogo = h('dialog', { class: 'confirmacion', 'aria-labelledby': 'confirmacion-titulo', 'aria-describedby': 'confirmacion-texto' },
      h('h2', { id: 'confirmacion-titulo' }, titulo), h('p', { id: 'confirmacion-texto' }, texto), h('div', { class: 'acciones' }, si, no));
    const fin = (valor) => { dialogo.close(); dialogo.remove(); resolver(valor); };
    si.addEventListener('click', () => fin(true));
    no.addEventListener('click', () => fin(false));
    dialogo.addEventListener('cancel', (ev) => { ev.preventDefault(); fin(false); });
    document.body.append(dialogo);
    dialogo.showModal();
    no.focus();
  });
}
