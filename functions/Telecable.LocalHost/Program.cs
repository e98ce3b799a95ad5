using Telecable.LocalHost;

var app = await HostLocal.ConstruirAsync(args);
await app.RunAsync();
