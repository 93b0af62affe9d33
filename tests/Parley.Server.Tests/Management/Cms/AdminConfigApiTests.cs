using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Server.Admin;
using Parley.Server.Configuration;
using Parley.Server.Management.Cms;
using Parley.Server.Security;
using Parley.Server.Sessions;
using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Cms;

/// <summary>The admin API's configuration endpoints over real HTTPS against a real store.</summary>
public sealed class AdminConfigApiTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly TestDeploymentCa _ca = new();
    private readonly List<IAsyncDisposable> _running = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var running in Enumerable.Reverse(_running))
        {
            await running.DisposeAsync();
        }

        _ca.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task Put_replaces_a_document_and_get_reads_it_back()
    {
        var (client, store) = await StartAsync(CmsOptions.Master);
        await store.Cms.ChangeAsync(_ => SampleConfigurations.Small(), "test", "initial", CancellationToken.None);

        var put = await client.PutAsync("/api/v1/config/staticRoutes",
            Json("""[{"pattern":"*.Partner.org","nextHop":"10.9.8.7","port":5061,"transport":"tls","description":"new partner"}]"""));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var revision = JsonDocument.Parse(await put.Content.ReadAsStringAsync()).RootElement.GetProperty("revision").GetInt64();
        var get = await client.GetAsync("/api/v1/config/staticRoutes");
        Assert.Equal(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), get.Headers.GetValues("X-Parley-Revision").Single());
        Assert.Equal("""[{"pattern":".org.partner.*","nextHop":"10.9.8.7","port":5061,"transport":"tls","description":"new partner","priority":1,"routeType":"domain","flavour":"lync"}]""",
            await get.Content.ReadAsStringAsync());
        var change = (await store.Cms.ListChangesAsync(1, CancellationToken.None)).Single();
        Assert.StartsWith("admin-api:", change.Actor);
        Assert.Equal("staticRoutes replaced", change.Description);

        var all = JsonDocument.Parse(await client.GetStringAsync("/api/v1/config")).RootElement;
        Assert.Equal(revision, all.GetProperty("revision").GetInt64());
        Assert.True(all.GetProperty("isMaster").GetBoolean());
        Assert.Equal(3, all.GetProperty("documents").GetProperty("topology").GetProperty("nodes").GetArrayLength());
    }

    [Fact]
    public async Task Put_of_an_invalid_document_is_400_with_the_field_errors_and_changes_nothing()
    {
        var (client, store) = await StartAsync(CmsOptions.Master);
        await store.Cms.ChangeAsync(_ => SampleConfigurations.Small(), "test", "initial", CancellationToken.None);
        var before = await store.Cms.GetRevisionAsync(CancellationToken.None);

        var response = await client.PutAsync("/api/v1/config/tlsListeners", Json("""[{"node":"nowhere.example.com","port":70000,"mutualTls":true,"description":null}]"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").EnumerateArray().ToArray();
        Assert.Equal(["tlsListeners[0].node", "tlsListeners[0].port"], errors.Select(e => e.GetProperty("field").GetString()!).ToArray());
        Assert.All(errors, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("fix").GetString())));
        Assert.Equal(before, await store.Cms.GetRevisionAsync(CancellationToken.None));

        var syntax = await client.PutAsync("/api/v1/config/presence", Json("""{"maxContactListSize":"lots"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, syntax.StatusCode);
        Assert.Contains("presence.maxContactListSize", await syntax.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsync("/api/v1/config/routes", Json("[]"))).StatusCode);
    }

    [Fact]
    public async Task Put_on_a_node_that_is_not_the_master_is_409_naming_the_master()
    {
        var (client, store) = await StartAsync(CmsOptions.ReplicaOf("cms1.example.com"));

        var response = await client.PutAsync("/api/v1/config/domains", Json("""["example.com"]"""));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("cms1.example.com", body.GetProperty("master").GetString());
        Assert.Empty(await store.Cms.ListChangesAsync(10, CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/config/domains")).StatusCode);
    }

    [Fact]
    public async Task Config_endpoints_need_the_bearer_token()
    {
        var (client, _) = await StartAsync(CmsOptions.Master);
        client.DefaultRequestHeaders.Authorization = null;

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PutAsync("/api/v1/config/domains", Json("[]"))).StatusCode);
    }

    [Fact]
    public async Task Status_reports_garbage_collection_counted_since_the_start()
    {
        var (client, _) = await StartAsync(CmsOptions.Master);
        var before = await GarbageCollectionAsync(client);
        _ = new byte[1024 * 1024];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true);
        var after = await GarbageCollectionAsync(client);

        Assert.True(after.GetProperty("gen2Collections").GetInt32() > before.GetProperty("gen2Collections").GetInt32());
        Assert.True(after.GetProperty("gen0Collections").GetInt32() >= after.GetProperty("gen2Collections").GetInt32());
        Assert.True(after.GetProperty("totalPauseMs").GetDouble() > before.GetProperty("totalPauseMs").GetDouble());
        Assert.True(after.GetProperty("allocatedBytes").GetInt64() >= before.GetProperty("allocatedBytes").GetInt64() + (1024 * 1024));
    }

    private static async Task<JsonElement> GarbageCollectionAsync(HttpClient client)
    {
        using var status = JsonDocument.Parse(await client.GetStringAsync("/api/v1/status"));
        return status.RootElement.GetProperty("garbageCollection").Clone();
    }

    private async Task<(HttpClient Client, ParleyStore Store)> StartAsync(CmsOptions cms)
    {
        var data = _temp.Combine("data");
        var store = new ParleyStore(TestStore.Options(data) with { Cms = cms }, TimeProvider.System, NullLoggerFactory.Instance);
        await store.StartAsync(CancellationToken.None);
        _running.Add(store);

        var certificate = _ca.IssueNode("node.example.com");
        var tls = new ServerTlsContext();
        tls.Use(new NodeCertificate(certificate, [], NodeCertificateOrigin.Configured, "test", null));
        var port = FreePort();
        var node = new NodeOptions { Fqdn = "node.example.com", DataDirectory = data, BindAddress = IPAddress.Loopback, AdminPort = port };
        var token = AdminToken.LoadOrCreate(data);
        var admin = new AdminApi(node, token, tls, store.Settings, store.Cms, store.Events,
            new SessionRegistry(store.Rosters, store.Privacy, new UserLocks()), () => 0);
        await admin.StartAsync(CancellationToken.None);
        _running.Add(admin);

        var caCertificate = _ca.PublicCertificate;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && PrivateCertificateAuthority.IsIssuedBy(presented, caCertificate, DateTimeOffset.UtcNow),
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        return (client, store);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
