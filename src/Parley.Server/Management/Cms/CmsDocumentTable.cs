using Parley.Server.Management.Documents;
using Parley.Server.Storage;

namespace Parley.Server.Management.Cms;

/// <summary>The SQL of table <c>cms_documents</c>: one row per document (name, canonical JSON, revision that last changed it).</summary>
internal static class CmsDocumentTable
{
    /// <summary>Documents never written (a new store, or added by a later version) read as their defaults.</summary>
    public static (long Revision, DeploymentConfiguration Configuration, IReadOnlyDictionary<string, string> Json) Read(SqliteSession session)
    {
        var rows = session.Query("SELECT name, json, revision FROM cms_documents",
            reader => (Name: reader.GetString(0), Json: reader.GetString(1), Revision: reader.GetInt64(2)));
        var configuration = new DeploymentConfiguration();
        var json = new Dictionary<string, string>(StringComparer.Ordinal);
        long revision = 0;
        foreach (var row in rows)
        {
            if (!DocumentJson.IsDocumentName(row.Name))
            {
                // Written by a newer Parley: keep it, but this version cannot interpret it.
                continue;
            }

            configuration = DocumentJson.With(configuration, row.Name, ReadDocument(row.Name, row.Json));
            json[row.Name] = row.Json;
            revision = Math.Max(revision, row.Revision);
        }

        foreach (var name in DocumentNames.All.Where(n => !json.ContainsKey(n)))
        {
            json[name] = DocumentJson.Serialize(configuration, name);
        }

        return (revision, configuration, json);
    }

    public static long Revision(SqliteSession session) => session.ScalarInt64("SELECT coalesce(max(revision), 0) FROM cms_documents");

    public static DateTimeOffset RevisionTime(SqliteSession session, long revision)
    {
        var times = session.Query("SELECT time_ms FROM revisions WHERE revision = $revision", reader => reader.GetInt64(0), ("$revision", revision));
        return times.Count == 0 ? DateTimeOffset.UnixEpoch : StoredTime.FromStored(times[0]);
    }

    public static void Write(SqliteSession session, string name, string json, long revision)
        => session.Execute(
            "INSERT INTO cms_documents (name, json, revision) VALUES ($name, $json, $revision) ON CONFLICT (name) DO UPDATE SET json = excluded.json, revision = excluded.revision",
            ("$name", name), ("$json", json), ("$revision", revision));

    private static object ReadDocument(string name, string json)
    {
        try
        {
            return DocumentJson.Deserialize(name, json);
        }
        catch (ConfigurationValidationException e)
        {
            throw new InvalidOperationException($"Internal error: stored configuration document '{name}' does not parse ({e.Message}). Fix: restore parley.db from a backup.", e);
        }
    }
}
