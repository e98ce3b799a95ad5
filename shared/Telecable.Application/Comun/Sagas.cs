namespace Telecable.Application.Comun;

/// <summary>Names of the sagas, as <see cref="IInyectorFallas"/> receives them.</summary>
public static class Sagas
{
    public const string AltaCliente = "AltaCliente";
    public const string ProcesarPago = "ProcesarPago";
}
