using Parley.Server.Storage;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests.Management.Replica;

public sealed class DomainMirrorTests : IDisposable
{
    private readonly ReplicaRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task Each_applied_revision_makes_the_domains_table_hold_its_domains()
    {
        await using var store = await TestStore.OpenAsync(_rig.Data.Path);
        using var applier = await _rig.StartedApplierAsync(_rig.MirrorFor(store.Database));

        await applier.ApplyAsync(_rig.Snapshot(1, ReplicaRig.ConfigurationOf(1) with { Domains = ["a.example", "b.example"] }), "m", CancellationToken.None);
        Assert.Equal(["a.example", "b.example"], await Domains(store.Database));

        await applier.ApplyAsync(_rig.Snapshot(2, ReplicaRig.ConfigurationOf(2) with { Domains = ["b.example", "c.example"] }), "m", CancellationToken.None);
        Assert.Equal(["b.example", "c.example"], await Domains(store.Database));
    }

    [Fact]
    public async Task A_dropped_domain_stays_while_users_reference_it()
    {
        await using var store = await TestStore.OpenAsync(_rig.Data.Path);
        using var applier = await _rig.StartedApplierAsync(_rig.MirrorFor(store.Database));
        await applier.ApplyAsync(_rig.Snapshot(1, ReplicaRig.ConfigurationOf(1) with { Domains = ["a.example", "b.example"] }), "m", CancellationToken.None);
        await store.Database.WriteAsync("adding a user", session => session.Execute(
            "INSERT INTO users (jid, domain, enabled, created_ms) VALUES ('alice@a.example', 'a.example', 1, 0)"), CancellationToken.None);

        await applier.ApplyAsync(_rig.Snapshot(2, ReplicaRig.ConfigurationOf(2) with { Domains = ["c.example"] }), "m", CancellationToken.None);

        Assert.Equal(["a.example", "c.example"], await Domains(store.Database));
    }

    [Fact]
    public async Task A_restarted_node_mirrors_the_revision_it_loads()
    {
        using (var applier = await _rig.StartedApplierAsync())
        {
            await applier.ApplyAsync(_rig.Snapshot(1), "m", CancellationToken.None);
        }

        await using var store = await TestStore.OpenAsync(_rig.Data.Path);
        using var restarted = await _rig.StartedApplierAsync(_rig.MirrorFor(store.Database));

        Assert.Equal([ReplicaRig.DomainOf(1)], await Domains(store.Database));
    }

    private static Task<List<string>> Domains(ParleyDatabase database)
        => database.ReadAsync("listing domains", session => session.Query("SELECT name FROM domains ORDER BY name", reader => reader.GetString(0)), CancellationToken.None);
}
