// Cuentas de clientes (issue 21): crear la cuenta con el correo registrado al contratar, activarla con el código
// que llega por correo o WhatsApp, y restablecer la contraseña. En Azure estos pasos los presenta Entra External ID.
import { api } from './api.js';
import { h, campo, mostrarError, validarFormulario, validarAlSalir, ocupado, anunciar } from './ui.js';
import { validarEmail, requerido } from './validacion.js';

const CLAVE_CORREO = 'telecable.cuenta.usuario';
const MINIMO = 10;
const validarPassword = (v) => ((v || '').length >= MINIMO ? null : `La contraseña debe tener al menos ${MINIMO} caracteres.`);
const validarCodigo = (v) => (/^\d{6}$/.test((v || '').replace(/[\s-]/g, '')) ? null : 'El código tiene 6 dígitos.');
const igual = (form) => (v) => (v === form.password.value ? null : 'Las contraseñas no coinciden.');
const enlaceIngreso = () => h('a', { href: '#/ingresar', class: 'boton-enlace' }, 'Iniciar sesión');

function crearCuenta(el, ctx) {
  const caja = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Crear mi cuenta' },
    h('p', {}, 'Si ya contrató con nosotros, cree su cuenta con el correo que registró en su solicitud.'),
    campo('Correo electrónico', 'email', { tipo: 'email', autocomplete: 'email', required: true, valor: sessionStorage.getItem(CLAVE_CORREO) || '' }),
    campo('Contraseña nueva', 'password', { tipo: 'password', autocomplete: 'new-password', required: true, ayuda: `Al menos ${MINIMO} caracteres; una frase es más fácil de recordar.` }),
    campo('Confirme la contraseña', 'confirmacion', { tipo: 'password', autocomplete: 'new-password', required: true }),
    campo('¿Dónde recibir el código?', 'canal', { tipo: 'select', opciones: [['email', 'Por correo electrónico'], ['whatsapp', 'Por WhatsApp, al teléfono registrado']] }),
    h('button', { type: 'submit' }, 'Crear cuenta'));
  const reglas = { email: validarEmail, password: validarPassword, confirmacion: igual(form) };
  validarAlSalir(form, reglas);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, reglas)) return;
    try {
      await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/cuentas/registro',
        { email: form.email.value.trim(), password: form.password.value, canal: form.canal.value }));
      sessionStorage.setItem(CLAVE_CORREO, form.email.value.trim());
      anunciar('Le enviamos un código.');
      ctx.navegar('verificar-cuenta');
    } catch (e) { mostrarError(caja, e, form); }
  });
  el.append(caja, form, h('p', {}, '¿Ya tiene cuenta? ', enlaceIngreso()));
}

function verificarCuenta(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Activar mi cuenta' },
    h('p', {}, 'Si los datos corresponden a un cliente, le enviamos un código de 6 dígitos. Vence en 15 minutos.'),
    campo('Correo electrónico', 'usuario', { tipo: 'email', autocomplete: 'email', required: true, valor: sessionStorage.getItem(CLAVE_CORREO) || '' }),
    campo('Código de 6 dígitos', 'codigo', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 7, required: true }),
    h('button', { type: 'submit' }, 'Activar cuenta'));
  const reglas = { usuario: requerido, codigo: validarCodigo };
  validarAlSalir(form, reglas);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, reglas)) return;
    try {
      await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/cuentas/verificacion',
        { usuario: form.usuario.value.trim(), codigo: form.codigo.value.trim() }));
      form.replaceWith(h('div', { class: 'exito', role: 'status' }, h('p', {}, 'Su cuenta está activa. Ya puede iniciar sesión.'), enlaceIngreso()));
      caja.replaceChildren();
    } catch (e) { mostrarError(caja, e, form); }
  });
  el.append(caja, form, h('p', {}, '¿No llegó? ', h('a', { href: '#/crear-cuenta' }, 'Pedir otro código')));
}

function restablecer(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  const pedir = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Pedir código' },
    campo('Usuario o correo electrónico', 'usuario', { autocomplete: 'username', required: true, valor: sessionStorage.getItem(CLAVE_CORREO) || '' }),
    h('button', { type: 'submit' }, 'Enviar código'));
  const cambiar = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Cambiar contraseña', hidden: true },
    campo('Código de 6 dígitos', 'codigo', { inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 7, required: true }),
    campo('Contraseña nueva', 'password', { tipo: 'password', autocomplete: 'new-password', required: true, ayuda: `Al menos ${MINIMO} caracteres.` }),
    campo('Confirme la contraseña', 'confirmacion', { tipo: 'password', autocomplete: 'new-password', required: true }),
    h('button', { type: 'submit' }, 'Cambiar contraseña'));
  pedir.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(pedir, { usuario: requerido })) return;
    try {
      const r = await ocupado(pedir.querySelector('[type=submit]'), () => api.post('/api/cuentas/restablecimiento', { usuario: pedir.usuario.value.trim() }));
      sessionStorage.setItem(CLAVE_CORREO, pedir.usuario.value.trim());
      caja.replaceChildren(h('p', { class: 'aviso', role: 'status' }, r?.mensaje || 'Le enviamos un código.'));
      cambiar.hidden = false;
      cambiar.codigo.focus();
    } catch (e) { mostrarError(caja, e, pedir); }
  });
  const reglas = { codigo: validarCodigo, password: validarPassword, confirmacion: igual(cambiar) };
  cambiar.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(cambiar, reglas)) return;
    try {
      await ocupado(cambiar.querySelector('[type=submit]'), () => api.post('/api/cuentas/restablecimiento/confirmacion',
        { usuario: pedir.usuario.value.trim(), codigo: cambiar.codigo.value.trim(), password: cambiar.password.value }));
      pedir.remove();
      cambiar.replaceWith(h('div', { class: 'exito', role: 'status' }, h('p', {}, 'Su contraseña cambió. Inicie sesión con la nueva.'), enlaceIngreso()));
      caja.replaceChildren();
    } catch (e) { mostrarError(caja, e, cambiar); }
  });
  el.append(caja, pedir, cambiar);
}

/** Vistas públicas fuera del menú (se llega por los enlaces del formulario de ingreso). */
export const vistasCuenta = [
  { id: 'crear-cuenta', titulo: 'Crear mi cuenta', coincide: (r) => r === 'crear-cuenta', render: crearCuenta },
  { id: 'verificar-cuenta', titulo: 'Activar mi cuenta', coincide: (r) => r === 'verificar-cuenta', render: verificarCuenta },
  { id: 'restablecer', titulo: 'Restablecer contraseña', coincide: (r) => r === 'restablecer', render: restablecer },
];

/** Enlaces bajo el formulario de ingreso. */
export const enlacesIngresoCliente = [['#/crear-cuenta', 'Crear mi cuenta'], ['#/restablecer', 'Olvidé mi contraseña']];
export const enlacesIngresoPersonal = [['#/restablecer', 'Olvidé mi contraseña o recibí una invitación']];
