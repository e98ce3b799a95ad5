// Portal del técnico (móvil primero): tickets del día, avance (en camino, en sitio, instalado con serie
// del router) y cierre.
import { api, lista } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { fecha, hoyMx } from '../comun/formato.js';
import { h, campo, mostrarError, anunciar, validarFormulario } from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';

const ESTADOS = [['en_camino', 'En camino'], ['en_sitio', 'En sitio'], ['instalado', 'Instalado']];

async function tickets(el) {
  const r = lista(await api.get(`/api/tickets?tecnico=me&fecha=${hoyMx()}`));
  if (!r.length) { el.append(h('p', { class: 'vacio' }, 'No tiene tickets asignados para hoy.')); return; }
  el.append(h('ul', { class: 'portales' }, r.map((t) => h('li', { class: 'tarjeta' }, tarjetaTicket(t)))));
}

function tarjetaTicket(t) {
  const res = h('div', { 'aria-live': 'polite' });
  const domicilio = t.domicilio && typeof t.domicilio === 'object' ? Object.values(t.domicilio).filter(Boolean).join(', ') : t.domicilio;
  const form = h('form', { novalidate: true, 'aria-label': `Avance del ticket ${t.folio ?? t.id}` },
    campo('Nuevo estado', 'estado', { tipo: 'select', id: `estado-${t.id}`, opciones: ESTADOS }),
    campo('Número de serie del router', 'serialRouter', { id: `serie-${t.id}`, ayuda: 'Obligatorio al marcar «Instalado».', autocomplete: 'off' }),
    campo('Notas', 'notas', { tipo: 'textarea', id: `notas-${t.id}` }),
    h('div', { class: 'acciones' }, h('button', { type: 'submit' }, 'Guardar avance'),
      h('button', { type: 'button', class: 'secundario', onclick: () => cerrar(t, res, form) }, 'Cerrar ticket')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const reglas = form.estado.value === 'instalado' ? { serialRouter: requerido } : {};
    if (!validarFormulario(form, reglas)) return;
    try {
      const a = await api.patch(`/api/tickets/${t.id}/progreso`, { estado: form.estado.value, notas: form.notas.value.trim() || null, serialRouter: form.serialRouter.value.trim() || null });
      res.replaceChildren(h('p', { class: 'exito', role: 'status' }, `Avance guardado: ${a?.estado ?? form.estado.value}.`));
      anunciar('Avance guardado.');
    } catch (e) { mostrarError(res, e, form); }
  });
  return [h('h3', {}, `${t.folio ?? t.id} · ${t.tipo ?? 'instalación'}`),
    h('p', {}, `${t.cliente?.nombre ?? t.clienteNombre ?? ''}`), domicilio ? h('p', {}, domicilio) : null,
    h('p', {}, `Estado: ${t.estado ?? '—'}${t.ventana ?? t.fechaProgramada ? ` · ${fecha(t.ventana ?? t.fechaProgramada)}` : ''}`), res, form];
}

async function cerrar(t, res, form) {
  try {
    await api.patch(`/api/tickets/${t.id}/cerrar`, { notas: form.notas.value.trim() || null });
    res.replaceChildren(h('p', { class: 'exito', role: 'status' }, 'Ticket cerrado.'));
  } catch (e) { mostrarError(res, e, form); }
}

iniciarPortal({ roles: ['tecnico', 'admin'], vistas: [{ id: 'tickets', titulo: 'Tickets de hoy', roles: ['tecnico', 'admin'], render: tickets }] });
