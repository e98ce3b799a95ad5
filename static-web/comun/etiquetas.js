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
export const ESTADOS_CONTRATO = { pendiente_instalacion: 'Por instalar', activo: 'Activo', suspendido: 'Suspendido', cancelado: 'Cancelado' };
export const ESTADOS_ROUTER = { en_linea: 'En línea', degradado: 'Con fallas', fuera_de_linea: 'Fuera de línea' };
export const FRANJAS = { matutina: 'Por la mañana (9 a 14 h)', vespertina: 'Por la tarde (14 a 19 h)' };
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
  baja: 'Baja', media: 'Normal', alta: 'Alta', urgente: 'Urgente', matutina: 'Mañana (9 a 14 h)', vespertina: 'Tarde (14 a 19 h)',
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
