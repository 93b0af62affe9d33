namespace Parley.Server.Configuration;

/// <summary>
/// The bootstrap configuration (file or command-line override) is unusable. The message names the source, the key
/// (JSON path or option), what is wrong and the fix, e.g.
/// <c>parley.json: listeners.xmpp: 70000 is not a port (1-65535). Fix: set a free TCP port, default 5222.</c>
/// </summary>
public sealed class ConfigurationException(string source, string key, string problem, string fix, Exception? inner = null)
    : Exception($"{source}: {(key.Length == 0 ? "" : key + ": ")}{problem} Fix: {fix}", inner)
{
    /// <summary>The file path, or the command line.</summary>
    public string Origin { get; } = source;

    /// <summary>JSON path ("listeners.xmpp") or option ("--xmpp-port"); empty for the file as a whole.</summary>
    public string Key { get; } = key;

    public string Problem { get; } = problem;

    public string Fix { get; } = fix;
}
