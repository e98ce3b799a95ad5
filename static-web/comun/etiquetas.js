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
