namespace Telecable.BrowserTests.Infraestructura;

/// <summary>What a person does in the portals, written once for all the tests.</summary>
public static class Pasos
{
    public static readonly string[] Portales = ["portal-cliente", "portal-tecnico", "backoffice", "portal-facturacion"];

    /// <summary>Opens a portal's sign-in form and signs in with the keyboard-free path (fill + click).</summary>
    public static async Task IngresarAsync(IPage p, string portal, string usuario, string password = HostNavegador.Password)
    {
        await IngresarSinEsperarAsync(p, portal, usuario, password);
        await Expect(p.Locator("#sesion")).ToContainTextAsync("Cerrar sesión");
    }

    public static async Task IngresarSinEsperarAsync(IPage p, string portal, string usuario, string password)
    {
        await p.GotoAsync($"/{portal}/#/ingresar");
        await p.GetByLabel("Usuario").FillAsync(usuario);
        await p.GetByLabel("Contraseña").FillAsync(password);
        await p.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
    }

    /// <summary>The sign-up form's last steps: the installation address in Monterrey, both consents and a date 5 days out
    /// (the caller sends the request, so it can watch it).</summary>
    public static async Task LlenarDomicilioYConsentimientosAsync(IPage p, string calle, string numero)
    {
        await p.GetByLabel("Calle").FillAsync(calle);
        await p.GetByLabel("Número exterior").FillAsync(numero);
        await p.GetByLabel("Colonia").FillAsync("Centro");
        await p.GetByLabel("Municipio").FillAsync("Monterrey");
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await p.GetByLabel("Acepto los términos y condiciones del servicio").CheckAsync();
        await p.GetByLabel("Acepto el aviso de privacidad").CheckAsync();
        await p.GetByRole(AriaRole.Button, new() { Name = "Siguiente" }).ClickAsync();
        await p.GetByLabel("Fecha de instalación deseada").FillAsync(DateTime.UtcNow.AddDays(5).ToString("yyyy-MM-dd"));
    }

    public static async Task CapturarAsync(IPage p, string nombre) =>
        await p.ScreenshotAsync(new() { Path = Path.Combine(Entorno.CarpetaCapturas, $"{nombre}.png"), FullPage = true });

    public static ILocator Navegacion(IPage p) => p.GetByRole(AriaRole.Navigation, new() { Name = "Secciones del portal" });
}
