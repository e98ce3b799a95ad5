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

    public static async Task CapturarAsync(IPage p, string nombre) =>
        await p.ScreenshotAsync(new() { Path = Path.Combine(Entorno.CarpetaCapturas, $"{nombre}.png"), FullPage = true });

    public static ILocator Navegacion(IPage p) => p.GetByRole(AriaRole.Navigation, new() { Name = "Secciones del portal" });
}
