namespace Telecable.Application.Plataforma;

/// <summary>The durable probe's ledger (Infrastructure's LibroSonda implements it): a step re-run after a crash counts as a
/// second execution of the same row, never as a second row.</summary>
public interface ILibroSonda
{
    Task RegistrarPasoAsync(string instancia, int paso, string cid, CancellationToken ct);

    Task CompletarAsync(string instancia, int pasos, CancellationToken ct);
}
