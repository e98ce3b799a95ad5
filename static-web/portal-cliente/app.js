// Portal del cliente: cobertura, planes, alta en pasos, seguimiento; con sesión de cliente: facturas,
// pagos, router y soporte.
import { api, lista, descargar, nuevoUuid } from '../comun/api.js';
import { iniciarPortal } from '../comun/portal.js';
import { dinero, fecha, dia, hoyMx } from '../comun/formato.js';
import { h, campo, tabla, mostrarError, anunciar, validarFormulario, validarAlSalir, boton, ocupado } from '../comun/ui.js';
import { validarRfc, validarEmail, validarTelefono, validarCp, requerido } from '../comun/validacion.js';

const estado = JSON.parse(sessionStorage.getItem('telecable.alta') || '{}'); // plan, zona y borrador del alta
const guardarEstado = () => sessionStorage.setItem('telecable.alta', JSON.stringify(estado));

function cobertura(el, ctx) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true },
    campo('Código postal', 'cp', { inputmode: 'numeric', maxlength: 5, autocomplete: 'postal-code', required: true, valor: estado.cp }),
    h('button', { type: 'submit' }, 'Consultar cobertura'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { cp: validarCp })) return;
    const cp = form.cp.value.trim();
    try {
      const z = await api.get(`/api/catalogo/zonas/${encodeURIComponent(cp)}`);
      Object.assign(estado, { cp, zona: z.zonaId ?? z.id ?? z.zona ?? z.clave, zonaNombre: z.nombre ?? z.zonaNombre }); guardarEstado();
      const hay = z.cobertura !== false;
      res.replaceChildren(h('div', { class: hay ? 'exito' : 'aviso' },
        h('p', {}, hay ? `¡Hay cobertura en ${cp}${estado.zonaNombre ? ` (${estado.zonaNombre})` : ''}!` : `Aún no hay cobertura en ${cp}.`),
        hay ? h('a', { href: '#/planes', class: 'boton-enlace' }, 'Ver planes disponibles') : null));
      anunciar(hay ? 'Hay cobertura.' : 'Sin cobertura.');
    } catch (e) { mostrarError(res, e, form); }
  });
  el.append(h('p', {}, 'Escriba su código postal para saber si llegamos a su domicilio.'), form, res);
}

async function planes(el, ctx) {
  if (!estado.zona) { el.append(h('p', {}, 'Primero consulte la cobertura de su código postal. '), h('a', { href: '#/cobertura' }, 'Consultar cobertura')); return; }
  const r = await api.get(`/api/catalogo/planes?zona=${encodeURIComponent(estado.zona)}`);
  el.append(h('p', {}, `Planes en ${estado.zonaNombre || estado.cp}:`), tabla('Planes y precios', lista(r), [
    { campo: 'nombre', titulo: 'Plan' },
    { campo: 'velocidadMbps', titulo: 'Velocidad', formato: (v) => (v ? `${v} Mbps` : '—') },
    { campo: 'precioMensual', titulo: 'Precio mensual', formato: (v, f) => dinero(v ?? f.precio) },
    { campo: 'promocion', titulo: 'Promoción', formato: (v, f) => (v?.descripcion ?? v?.nombre ?? v ?? (f.precioPromocion ? `${dinero(f.precioPromocion)} los primeros meses` : '—')) },
    { titulo: 'Contratar', celda: (f) => boton(`Contratar ${f.nombre}`, () => { estado.plan = { id: f.id ?? f.planId, nombre: f.nombre }; guardarEstado(); ctx.navegar('alta'); }) },
  ]));
}

const PASOS = ['Plan', 'Datos personales y fiscales', 'Domicilio', 'Consentimientos', 'Instalación'];

function alta(el, ctx) {
  estado.paso ??= 0; estado.datos ??= {};
  const pintar = () => {
    const paso = estado.paso;
    const caja = h('div', {});
    const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': PASOS[paso] });
    const reglas = {};
    if (paso === 0) {
      form.append(estado.plan ? h('p', {}, 'Plan elegido: ', h('strong', {}, estado.plan.nombre)) : h('p', {}, 'Aún no elige un plan. ', h('a', { href: '#/planes' }, 'Ver planes')));
    } else if (paso === 1) {
      form.append(campo('Nombre completo o razón social', 'nombre', { autocomplete: 'name', required: true }),
        campo('RFC', 'rfc', { required: true, maxlength: 13, ayuda: '12 o 13 caracteres, con homoclave.' }),
        campo('Correo electrónico', 'email', { tipo: 'email', autocomplete: 'email', required: true }),
        campo('Teléfono (10 dígitos)', 'telefono', { tipo: 'tel', inputmode: 'numeric', autocomplete: 'tel-national', required: true }),
        campo('Régimen fiscal', 'regimenFiscal', { tipo: 'select', opciones: [['605', '605 Sueldos y salarios'], ['612', '612 Personas físicas con actividades empresariales'], ['616', '616 Sin obligaciones fiscales'], ['626', '626 Régimen simplificado de confianza'], ['601', '601 General de ley personas morales']] }),
        campo('Uso del CFDI', 'usoCfdi', { tipo: 'select', opciones: [['G03', 'G03 Gastos en general'], ['S01', 'S01 Sin efectos fiscales']] }),
        campo('Código postal fiscal', 'cpFiscal', { inputmode: 'numeric', maxlength: 5, required: true }));
      Object.assign(reglas, { nombre: requerido, rfc: validarRfc, email: validarEmail, telefono: validarTelefono, cpFiscal: validarCp });
    } else if (paso === 2) {
      form.append(campo('Calle', 'calle', { autocomplete: 'address-line1', required: true }), campo('Número exterior', 'numeroExterior', { required: true }),
        campo('Número interior (opcional)', 'numeroInterior'), campo('Colonia', 'colonia', { required: true }),
        campo('Código postal', 'codigoPostal', { inputmode: 'numeric', maxlength: 5, required: true, valor: estado.cp }),
        campo('Municipio', 'municipio', { required: true }), campo('Estado', 'estado', { required: true, valor: 'Nuevo León' }));
      Object.assign(reglas, { calle: requerido, numeroExterior: requerido, colonia: requerido, codigoPostal: validarCp, municipio: requerido, estado: requerido });
    } else if (paso === 3) {
      const casilla = (n, t) => h('div', { class: 'campo' }, h('label', { class: 'casilla', for: `c-${n}` }, h('input', { type: 'checkbox', id: `c-${n}`, name: n }), t));
      form.append(casilla('terminos', 'Acepto los términos y condiciones del servicio'), casilla('privacidad', 'Acepto el aviso de privacidad'), casilla('publicidad', 'Acepto recibir promociones (opcional)'));
      Object.assign(reglas, { terminos: (v) => (v ? null : 'Debe aceptar los términos.'), privacidad: (v) => (v ? null : 'Debe aceptar el aviso de privacidad.') });
    } else {
      form.append(campo('Fecha de instalación deseada', 'fechaInstalacion', { tipo: 'date', min: hoyMx(), required: true }));
      reglas.fechaInstalacion = (v) => (!v ? 'Elija una fecha.' : v < hoyMx() ? 'La fecha no puede ser anterior a hoy.' : null);
    }
    for (const [k, v] of Object.entries(estado.datos)) { const c = form.elements[k]; if (c) { if (c.type === 'checkbox') c.checked = !!v; else c.value = v; } }
    validarAlSalir(form, reglas);
    const ultimo = paso === PASOS.length - 1;
    form.append(h('div', { class: 'acciones' },
      paso > 0 ? boton('Anterior', () => { estado.paso--; guardarEstado(); pintar(); }, 'secundario') : null,
      h('button', { type: 'submit', disabled: paso === 0 && !estado.plan }, ultimo ? 'Enviar solicitud' : 'Siguiente')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!validarFormulario(form, reglas)) return;
      for (const c of form.elements) if (c.name) estado.datos[c.name] = c.type === 'checkbox' ? c.checked : c.value.trim();
      if (!ultimo) { estado.paso++; guardarEstado(); pintar(); return; }
      // Una clave por intento de alta, conservada entre reintentos: un reenvío no crea un segundo cliente.
      estado.clave ??= nuevoUuid(); guardarEstado();
      const d = estado.datos;
      try {
        const r = await ocupado(form.querySelector('[type=submit]'), () => api.post('/api/altas', {
          planId: estado.plan.id, zonaId: estado.zona,
          cliente: { nombre: d.nombre, rfc: d.rfc.toUpperCase(), email: d.email, telefono: d.telefono.replace(/\D/g, ''), regimenFiscal: d.regimenFiscal, usoCfdi: d.usoCfdi, codigoPostalFiscal: d.cpFiscal },
          domicilio: { calle: d.calle, numeroExterior: d.numeroExterior, numeroInterior: d.numeroInterior || null, colonia: d.colonia, codigoPostal: d.codigoPostal, municipio: d.municipio, estado: d.estado },
          consentimientos: { terminos: d.terminos, privacidad: d.privacidad, publicidad: d.publicidad },
          fechaInstalacion: d.fechaInstalacion,
        }, estado.clave));
        const id = r.id ?? r.altaId;
        sessionStorage.setItem('telecable.ultimaAlta', id);
        for (const k of ['clave', 'paso', 'datos']) delete estado[k];
        guardarEstado();
        anunciar('Solicitud enviada.');
        ctx.navegar('seguimiento');
      } catch (e) {
        // Los errores de campo de la API se muestran junto al campo de su paso; los demás, arriba.
        mostrarError(caja, e, form);
      }
    });
    el.replaceChildren(h('ol', { class: 'pasos', 'aria-label': 'Pasos del alta' }, PASOS.map((p, i) => h('li', { 'aria-current': i === paso ? 'step' : false }, `${i + 1}. ${p}`))),
      h('h3', {}, PASOS[paso]), caja, form);
  };
  pintar();
}

function seguimiento(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true }, campo('Folio de la solicitud', 'id', { required: true, valor: sessionStorage.getItem('telecable.ultimaAlta') || '' }), h('button', { type: 'submit' }, 'Consultar'));
  let reloj;
  const consultar = async () => {
    clearTimeout(reloj);
    try {
      const a = await api.get(`/api/altas/${encodeURIComponent(form.id.value.trim())}`);
      const pasos = a.pasos ?? a.historial ?? [];
      res.replaceChildren(h('div', { class: 'tarjeta' },
        h('p', {}, 'Estado: ', h('strong', {}, a.estado ?? '—')),
        a.instalacion ? h('p', {}, `Instalación: ${dia(a.instalacion.fecha ?? a.instalacion)} — ${a.instalacion.estado ?? ''}`) : null,
        pasos.length ? h('ol', {}, pasos.map((p) => h('li', {}, `${p.nombre ?? p.paso ?? p.estado}: ${p.estado ?? ''} ${p.fecha ? fecha(p.fecha) : ''}`))) : null));
      if (!['completada', 'fallida', 'cancelada', 'instalada'].includes(String(a.estado).toLowerCase()) && document.body.contains(res)) reloj = setTimeout(consultar, 3000);
    } catch (e) { mostrarError(res, e, form); }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); if (validarFormulario(form, { id: requerido })) consultar(); });
  el.append(form, res);
  if (form.id.value) consultar();
}

async function facturas(el) {
  const caja = h('div', { 'aria-live': 'polite' });
  const r = lista(await api.get('/api/facturacion/ultimas'));
  el.append(caja, tabla('Mis facturas', r, [
    { campo: 'serie', titulo: 'Folio', formato: (v, f) => `${v ?? ''}${f.folio ?? ''}` },
    { campo: 'fecha', titulo: 'Fecha', formato: (v, f) => fecha(v ?? f.fechaEmision) },
    { campo: 'total', titulo: 'Total', formato: dinero },
    { campo: 'estado', titulo: 'Estado' },
    { titulo: 'Acciones', celda: (f) => h('div', { class: 'acciones' },
      boton('XML', () => descargar(`/api/facturacion/${f.uuid}/xml`, `${f.uuid}.xml`).catch((e) => mostrarError(caja, e)), 'secundario'),
      boton('Representación impresa', () => descargar(`/api/facturacion/${f.uuid}/representacion`, `${f.uuid}.pdf`).catch((e) => mostrarError(caja, e)), 'secundario'),
      f.estado === 'pagada' ? null : boton(`Pagar ${dinero(f.saldo ?? f.total)}`, (ev) => pagar(f, ev.currentTarget, caja))) },
  ]));
}

const clavesPago = {};
async function pagar(f, b, caja) {
  clavesPago[f.uuid] ??= nuevoUuid(); // el mismo intento conserva su clave si el usuario reintenta
  try {
    const p = await ocupado(b, () => api.post('/api/pagos', { facturaUuid: f.uuid, monto: f.saldo ?? f.total, metodo: 'tarjeta' }, clavesPago[f.uuid]));
    delete clavesPago[f.uuid];
    caja.replaceChildren(h('div', { class: 'exito', role: 'status' }, `Pago registrado (${p.estado ?? 'recibido'}) por ${dinero(p.monto ?? f.total)}.`));
  } catch (e) { mostrarError(caja, e); }
}

function router(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true }, campo('Identificador del router', 'routerId', { required: true }), h('button', { type: 'submit' }, 'Ver estado'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { routerId: requerido })) return;
    try {
      const s = await api.get(`/api/router/status/${encodeURIComponent(form.routerId.value.trim())}`);
      res.replaceChildren(h('dl', { class: 'kpis' }, Object.entries(s).filter(([, v]) => typeof v !== 'object').map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, /fecha|ultima|en$/i.test(k) ? fecha(v) : String(v))))));
    } catch (e) { mostrarError(res, e, form); }
  });
  el.append(form, res);
}

function soporte(el) {
  const res = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Abrir ticket' }, h('h3', {}, 'Abrir un ticket'),
    campo('Tipo', 'tipo', { tipo: 'select', opciones: [['falla', 'Falla del servicio'], ['lentitud', 'Lentitud'], ['facturacion', 'Facturación'], ['otro', 'Otro']] }),
    campo('Descripción', 'descripcion', { tipo: 'textarea', required: true }), h('button', { type: 'submit' }, 'Abrir ticket'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(form, { descripcion: requerido })) return;
    try {
      const t = await api.post('/api/tickets', { tipo: form.tipo.value, descripcion: form.descripcion.value.trim() });
      res.replaceChildren(h('div', { class: 'exito', role: 'status' }, `Ticket ${t.folio ?? t.id} abierto.`));
      fb.ticketId.value = t.id; form.reset();
    } catch (e) { mostrarError(res, e, form); }
  });
  const res2 = h('div', { 'aria-live': 'polite' });
  const fb = h('form', { class: 'tarjeta', novalidate: true, 'aria-label': 'Calificar la atención' }, h('h3', {}, 'Calificar la atención'),
    campo('Ticket', 'ticketId', { required: true }),
    campo('Calificación (1 a 5)', 'calificacion', { tipo: 'select', opciones: [['5', '5 Excelente'], ['4', '4'], ['3', '3'], ['2', '2'], ['1', '1 Mala']] }),
    campo('Comentario', 'comentario', { tipo: 'textarea' }), h('button', { type: 'submit' }, 'Enviar opinión'));
  fb.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!validarFormulario(fb, { ticketId: requerido })) return;
    try {
      await api.post(`/api/tickets/${encodeURIComponent(fb.ticketId.value.trim())}/feedback`, { calificacion: Number(fb.calificacion.value), comentario: fb.comentario.value.trim() || null });
      res2.replaceChildren(h('div', { class: 'exito', role: 'status' }, '¡Gracias por su opinión!'));
    } catch (e) { mostrarError(res2, e, fb); }
  });
  el.append(res, form, res2, fb);
}

iniciarPortal({
  roles: ['cliente'],
  vistas: [
    { id: 'cobertura', titulo: 'Cobertura', render: cobertura },
    { id: 'planes', titulo: 'Planes', render: planes },
    { id: 'alta', titulo: 'Contratar', render: alta },
    { id: 'seguimiento', titulo: 'Seguimiento', render: seguimiento },
    { id: 'facturas', titulo: 'Mis facturas', roles: ['cliente'], render: facturas },
    { id: 'router', titulo: 'Mi router', roles: ['cliente'], render: router },
    { id: 'soporte', titulo: 'Soporte', roles: ['cliente'], render: soporte },
  ],
});
