// Nombres para personas de los estados y tipos que la API devuelve como códigos (nunca se muestra un código).
export const ESTADOS_TICKET = {
  abierto: 'Abierto', asignado: 'Asignado', en_camino: 'Técnico en camino', en_sitio: 'Técnico en su domicilio', instalado: 'Instalado',
  en_atencion: 'En atención', resuelto: 'Resuelto: confirme si quedó bien', cerrado: 'Cerrado', cancelado: 'Cancelado',
};
export const TIPOS_TICKET = { instalacion: 'Instalación', soporte: 'Soporte', falla: 'Falla del servicio' };
export const PRIORIDADES = { baja: 'Baja', media: 'Normal', alta: 'Alta', urgente: 'Urgente' };
export const ESTADOS_CUENTA = { pendiente_verificacion: 'Invitación enviada', activa: 'Activa', desactivada: 'Desactivada' };
export const ROLES = { admin: 'Administración', soporte: 'Soporte', cobranzas: 'Cobranzas', tecnico: 'Técnico', cliente: 'Cliente' };

/** Etiqueta de un código; si falta en el catálogo, el código sin guiones bajos (nunca snake_case en pantalla). */
export const etiqueta = (catalogo, codigo) => catalogo[codigo] ?? String(codigo ?? '—').replace(/_/g, ' ');
/** Facturas (facturas.estado) como las lee su cliente o cobranzas. */
export const ESTADOS_FACTURA = {
  borrador: 'Borrador', sellada: 'En timbrado', timbrada: 'Por pagar', error: 'Con error de timbrado', cancelada: 'Cancelada',
  pagada: 'Pagada', cancelacion_pendiente: 'Cancelación en espera del cliente',
};
export const PROVEEDORES_PAGO = { stripe: 'Stripe (tarjeta)', spei: 'SPEI', oxxo: 'OXXO', conekta: 'Conekta', openpay: 'Openpay', mercadopago: 'Mercado Pago' };
/** Un proveedor sin etiqueta se muestra con mayúscula inicial (nunca el código en minúsculas). */
export const proveedor = (codigo) => PROVEEDORES_PAGO[codigo] ?? String(codigo ?? '—').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
export const ESTADOS_CONCILIACION = { completada: 'Completada' };
export const ORIGENES_NOTA_CREDITO = { manual: 'manual', sla: 'crédito por caída del servicio', cortesia: 'cortesía' };
/** Pasos de la solicitud de alta (altas_pasos.paso). */
export const PASOS_ALTA = {
  cotizacion: 'Cotización', cliente: 'Registro del cliente', contrato: 'Contrato', ticket: 'Cita de instalación', notificacion: 'Aviso de bienvenida',
};
export const ESTADOS_PASO_ALTA = { pendiente: 'pendiente', completado: 'listo', fallido: 'con error', compensado: 'revertido' };

/**
 * Red de seguridad de tabla() (ui.js): una celda sin formato cuyo valor es un código (minúsculas y guiones bajos) se
 * muestra con su nombre para personas; un código sin nombre aquí, sin guiones bajos y con mayúscula inicial.
 * Nombres neutros (para el personal); cada vista del cliente usa sus catálogos de arriba.
 */
export const ETIQUETAS_GENERALES = {
  abierto: 'Abierto', asignado: 'Asignado', en_camino: 'En camino', en_sitio: 'En sitio', instalado: 'Instalado', en_atencion: 'En atención',
  resuelto: 'Resuelto', cerrado: 'Cerrado', cancelado: 'Cancelado', instalacion: 'Instalación', soporte: 'Soporte', falla: 'Falla del servicio',
  baja: 'Baja', media: 'Normal', alta: 'Alta', urgente: 'Urgente', matutina: 'Matutino, 9:00 a 14:00', vespertina: 'Vespertino, 14:00 a 19:00',
  activo: 'Activo', activa: 'Activa', suspendido: 'Suspendido', pendiente_instalacion: 'Por instalar', en_linea: 'En línea', degradado: 'Con fallas',
  fuera_de_linea: 'Fuera de línea', enviada: 'Enviada', pendiente: 'Pendiente', fallida: 'Fallida', whatsapp: 'WhatsApp', email: 'Correo', sms: 'SMS',
  critical: 'Crítica', warning: 'Advertencia', info: 'Informativa', ticket: 'Ticket', factura: 'Factura', corrida: 'Corrida de facturación',
  cliente: 'Cliente', contrato: 'Contrato', pago: 'Pago', router: 'Router', borrador: 'Borrador', sellada: 'Sellada', timbrada: 'Timbrada',
  pagada: 'Pagada', cancelada: 'Cancelada', error: 'Error', cancelacion_pendiente: 'Cancelación pendiente', completada: 'Completada',
  en_proceso: 'En proceso', completada_con_errores: 'Completada con errores', confirmado: 'Confirmado', aplicado: 'Aplicado', rechazado: 'Rechazado',
  fisica: 'Persona física', moral: 'Persona moral', ...PROVEEDORES_PAGO,
};
const CODIGO = /^[a-z]+(_[a-z]+)*$/;
/** El nombre para personas de un valor que parece código; cualquier otro valor, tal cual. */
export const legible = (v) => (typeof v === 'string' && CODIGO.test(v)
  ? ETIQUETAS_GENERALES[v] ?? (v.charAt(0).toUpperCase() + v.slice(1).replace(/_/g, ' '))
  : v);

// Personal (backoffice y técnico): el mismo estado dicho para quien lo trabaja.
export const ESTADOS_TICKET_PERSONAL = { ...ESTADOS_TICKET, en_camino: 'En camino', en_sitio: 'En sitio', resuelto: 'Resuelto (espera confirmación del cliente)' };
// Las franjas que el alta ofrece al cliente (portal-cliente: «Matutino (9 a 14 h)»), dichas igual al técnico.
export const FRANJAS = { matutina: 'Matutino, 9:00 a 14:00', vespertina: 'Vespertino, 14:00 a 19:00' };
export const ESTADOS_CLIENTE = { activo: 'Activo', suspendido: 'Suspendido', baja: 'Baja' };
export const ESTADOS_CONTRATO = { activo: 'Activo', suspendido: 'Suspendido', cancelado: 'Cancelado', pendiente_instalacion: 'Por instalar' };
export const ESTADOS_ROUTER = { en_linea: 'En línea', degradado: 'Con fallas', fuera_de_linea: 'Fuera de línea', reiniciando: 'Reiniciando', sin_reporte: 'Sin reporte' };
export const MOVIMIENTOS_CUENTA = { factura: 'Factura', pago: 'Pago', credito: 'Abono a su saldo', cargo_saldo: 'Cargo a su saldo', nota_credito: 'Nota de crédito' };
export const CANALES = { email: 'Correo', whatsapp: 'WhatsApp', sms: 'SMS' };
export const ESTADOS_NOTIFICACION = { pendiente: 'Por enviar', enviada: 'Enviada', fallida: 'No se pudo enviar', reintentando: 'Reintentando' };
/** Lo que pasó en la cuenta de un cliente (eventos_sistema), dicho para una persona. */
export const EVENTOS_CLIENTE = {
  ticket_asignar: 'Ticket asignado', ticket_atender: 'Ticket en atención', ticket_resolver: 'Ticket resuelto', ticket_confirmar: 'El cliente confirmó la solución',
  ticket_reabrir: 'Ticket reabierto', ticket_cancelar: 'Ticket cancelado', ticket_mensaje: 'Mensaje en un ticket',
  cuenta_registrada: 'Creó su cuenta', cuenta_verificada: 'Activó su cuenta', cuenta_bloqueada: 'Cuenta bloqueada por intentos fallidos',
  restablecimiento_solicitado: 'Pidió restablecer su contraseña', password_restablecido: 'Cambió su contraseña', NotaCreditoSellada: 'Nota de crédito emitida',
};
