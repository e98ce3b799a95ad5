// Cuentas del personal (admin): lista, invitación (la persona recibe un código por correo y pone su contraseña)
// y desactivación con confirmación (cierra sus sesiones).
import { api, lista, nuevoUuid } from '../comun/api.js';
import { fecha, entero } from '../comun/formato.js';
import { ESTADOS_CUENTA, ROLES, etiqueta } from '../comun/etiquetas.js';
import { h, campo, tabla, mostrarError, anunciar, ocupado, confirmar, validarFormulario, paginador, filtrosDeUrl, irConFiltros } from '../comun/ui.js';
import { requerido } from '../comun/validacion.js';

const ROLES_PERSONAL = ['admin', 'soporte', 'cobranzas', 'tecnico'];

export async function personal(el, ctx) {
  const caja = h('div', { 'aria-live': 'polite', id: 'resultado-personal' });
  const repintar = async (mensaje) => {
    el.replaceChildren();
    await personal(el, ctx);
    document.getElementById('resultado-personal')?.replaceChildren(h('p', { class: 'exito', role: 'status' }, mensaje));
    anunciar(mensaje);
  };
  const filtros = filtrosDeUrl();
  // GET /api/cuentas/personal → página de { id, usuario, nombre, roles, estado, destino, ultimoAcceso }
  const pagina = await api.get(`/api/cuentas/personal?pagina=${encodeURIComponent(filtros.get('pagina') || 1)}&tamano=20`);
  el.append(caja, await formularioInvitar(caja, repintar),
    tabla(`Cuentas del personal (${entero(pagina.total)})`, lista(pagina), [
      { campo: 'nombre', titulo: 'Nombre' }, { campo: 'usuario', titulo: 'Usuario' }, { campo: 'destino', titulo: 'Correo' },
      { campo: 'roles', titulo: 'Roles', formato: (v) => (v ?? []).map((r) => etiqueta(ROLES, r)).join(', ') },
      { campo: 'estado', titulo: 'Estado', formato: (v) => etiqueta(ESTADOS_CUENTA, v) },
      { campo: 'ultimoAcceso', titulo: 'Último acceso', formato: (v) => (v ? fecha(v) : 'Nunca') },
      { titulo: 'Acción', celda: (c) => (c.estado === 'desactivada' || c.usuario === ctx.usuario?.sujeto ? '—'
        : h('button', { type: 'button', class: 'peligro', onclick: (ev) => desactivar(c, ev.currentTarget, caja, repintar) }, `Desactivar a ${c.nombre}`)) },
    ]),
    paginador(pagina, (n) => irConFiltros('personal', { pagina: n })));
}

async function desactivar(c, boton, caja, repintar) {
  const ok = await confirmar({ titulo: `¿Desactivar la cuenta de ${c.nombre}?`, texto: 'Sus sesiones se cierran y ya no podrá entrar a los portales.', aceptar: 'Sí, desactivar' });
  if (!ok) { boton.focus(); return; }
  try {
    await ocupado(boton, () => api.patch(`/api/cuentas/personal/${encodeURIComponent(c.id)}`, { activa: false }));
    await repintar(`La cuenta de ${c.nombre} quedó desactivada.`);
  } catch (e) { mostrarError(caja, e); }
}

async function formularioInvitar(caja, repintar) {
  // Un técnico necesita su ficha de la cuadrilla: se elige por nombre (GET /api/soporte/responsables).
  const tecnicos = lista(await api.get('/api/soporte/responsables?tamano=500')).filter((r) => r.tipo === 'tecnico');
  const tecnico = campo('Técnico de la cuadrilla (solo para el rol Técnico)', 'tecnicoId', { tipo: 'select', id: 'inv-tecnico',
    opciones: [['', 'Ninguno'], ...tecnicos.map((t) => [t.clave, t.nombre])] });
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-labelledby': 'titulo-invitar' },
    h('h3', { id: 'titulo-invitar' }, 'Invitar a una persona'),
    campo('Nombre completo', 'nombre', { id: 'inv-nombre', required: true, autocomplete: 'off' }),
    campo('Usuario (minúsculas, sin espacios)', 'usuario', { id: 'inv-usuario', required: true, autocomplete: 'off' }),
    campo('Correo electrónico (recibe la invitación)', 'email', { id: 'inv-email', tipo: 'email', required: true, autocomplete: 'off' }),
    h('fieldset', { id: 'inv-roles' }, h('legend', {}, 'Roles'),
      ROLES_PERSONAL.map((r) => h('label', { class: 'casilla' }, h('input', { type: 'checkbox', name: 'roles', value: r }), etiqueta(ROLES, r)))),
    tecnico,
    h('button', { type: 'submit' }, 'Enviar invitación'));
  let clave = nuevoUuid();
  form.addEventListener('input', () => { clave = nuevoUuid(); });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { nombre: requerido, usuario: requerido, email: requerido })) return;
    const roles = [...form.querySelectorAll('input[name=roles]:checked')].map((c) => c.value);
    const cuerpo = { nombre: form.nombre.value.trim(), usuario: form.usuario.value.trim(), email: form.email.value.trim(), roles, tecnicoId: form.tecnicoId.value || null };
    try {
      // POST /api/cuentas/personal (Idempotency-Key: un doble clic invita una sola vez).
      await ocupado(form.querySelector('button[type=submit]'), () => api.post('/api/cuentas/personal', cuerpo, clave));
      await repintar(`Invitación enviada a ${cuerpo.email}.`);
    } catch (e) { mostrarError(caja, e, form); }
  });
  return form;
}
