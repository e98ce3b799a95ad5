using System.Net.Http.Json;
using System.Text;

namespace Telecable.EndToEndTests;

/// <summary>Secrets, keys and CSD data never reach the logs, even when requests carry or misuse them.</summary>
public sealed class SecretosEnLogsTests
{
    [Fact]
    public async Task Ni_passwords_ni_claves_ni_tokens_ni_el_CSD_aparecen_en_los_logs()
    {
        var cs = await Servicios.CrearBaseAsync("e2e");
        try
        {
            await using var host = new HostProceso("InMemory", cs, $"e2e{Guid.NewGuid():N}"[..16]);
            await host.IniciarAsync();
            // Wrong and right passwords, a token used and a forged one, a webhook with a bad signature, a billing-free health call.
            await host.Http.PostAsJsonAsync("api/auth/token", new { usuario = "admin", password = "password-equivocado-xyz" });
            using var admin = await host.ClienteAsync("admin");
            var token = admin.DefaultRequestHeaders.Authorization!.Parameter!;
            await admin.GetAsync("api/eventos");
            using var falso = new HttpClient { BaseAddress = host.Http.BaseAddress };
            falso.DefaultRequestHeaders.Authorization = new("Bearer", token[..^4] + "AAAA");
            await falso.GetAsync("api/eventos");
            var webhook = new HttpRequestMessage(HttpMethod.Post, "api/pagos/webhooks/emulada") { Content = new StringContent("{\"id\":\"evt_1\"}", Encoding.UTF8, "application/json") };
            webhook.Headers.TryAddWithoutValidation("Stripe-Signature", "t=1,v1=00");
            await host.Http.SendAsync(webhook);
            await Task.Delay(500);

            var logs = string.Join('\n', host.Salida);
            Assert.NotEmpty(host.Salida); // the host did log while handling these requests
            foreach (var secreto in new[] { HostProceso.Password, "password-equivocado-xyz", HostProceso.ClaveFirma, HostProceso.SecretoWebhook, "12345678a", token, token[..40] })
                Assert.DoesNotContain(secreto, logs);
            Assert.DoesNotContain("BEGIN PRIVATE KEY", logs);
            Assert.DoesNotContain("MIIF", logs); // base64 DER of a certificate or key
        }
        finally
        {
            await Servicios.BorrarBaseAsync(cs);
        }
    }
}
