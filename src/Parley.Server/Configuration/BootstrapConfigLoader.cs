using System.Net;
using System.Text.Json;
using Parley.Server.Sip;
using Parley.Sip.Authentication;
using Parley.Xmpp.Addressing;

namespace Parley.Server.Configuration;

/// <summary>
/// Reads a node's bootstrap file (<c>parley.json</c>), validates every key, and merges command-line overrides into
/// <see cref="NodeOptions"/>. Every problem is a <see cref="ConfigurationException"/> naming file, key and fix.
/// Relative paths in the file are relative to the file; relative paths on the command line to the working directory.
/// </summary>
/// <example>
/// <code>
/// {
///   "fqdn": "parley1.example.com",
///   "roles": ["frontend", "routing", "edge", "cms"],
///   "dataDirectory": "/var/lib/parley",
///   "bindAddress": "0.0.0.0",
///   "listeners": { "xmpp": 5222, "admin": 8443, "sip": 5060, "sipTls": 5062, "replicaAgent": 4443 },
///   "certificates": { "certificate": "/etc/parley/node.pem", "privateKey": "/etc/parley/node.key", "trustedPeerCa": "/etc/parley/peer-ca.pem" },
///   "requireTls": true,
///   "initialDomain": "example.com",
///   "sip": { "digestAlgorithms": ["MD5"] },
///   "cms": { "master": "cms1.example.com", "caCertificate": "/etc/parley/deployment-ca.pem", "fileShare": "/srv/parley-share" }
/// }
/// </code>
/// </example>
public sealed class BootstrapConfigLoader(string workingDirectory, string machineHostName)
{
    public const string DefaultFileName = "parley.json";
    public const string DefaultDataDirectoryName = "data";
    public const string CommandLineSource = "command line";
    private const string CommandLine = CommandLineSource;

    private static readonly string[] RootKeys = ["fqdn", "roles", "dataDirectory", "bindAddress", "listeners", "certificates", "requireTls", "initialDomain", "sip", "cms", "$schema"];
    private static readonly string[] ListenerKeys = ["xmpp", "admin", "sip", "sipTls", "replicaAgent"];
    private static readonly string[] CmsKeys = ["master", "caCertificate", "fileShare"];
    private static readonly string[] CertificateKeys = ["certificate", "privateKey", "trustedPeerCa"];
    private static readonly string[] SipKeys = ["digestAlgorithms", "maxConcurrentRequests", "inDialogReserve"];
    private static readonly DigestAlgorithm[] ConfigurableDigestAlgorithms = [DigestAlgorithm.Md5, DigestAlgorithm.Sha256];

    public BootstrapConfigLoader()
        : this(Environment.CurrentDirectory, Dns.GetHostName())
    {
    }

    /// <summary>Loads <paramref name="configPath"/> (none: defaults) and applies <paramref name="overrides"/>.</summary>
    public NodeOptions Load(string? configPath, BootstrapOverrides overrides)
    {
        var file = configPath is null ? new FileValues() : ReadFile(configPath);
        var source = configPath ?? "defaults";

        var initialDomain = overrides.Domain is { } domainOverride
            ? ValidDomain(CommandLine, "--domain", domainOverride, "give a DNS domain such as example.com")
            : file.InitialDomain ?? "example.com";
        var fqdn = overrides.Fqdn is { } fqdnOverride
            ? ValidDomain(CommandLine, "--fqdn", fqdnOverride, "give this machine's DNS name, e.g. parley1.example.com")
            : file.Fqdn ?? DefaultFqdn(initialDomain);
        var dataDirectory = overrides.DataDirectory is { } dataOverride
            ? Path.GetFullPath(dataOverride, workingDirectory)
            : file.DataDirectory ?? Path.Combine(workingDirectory, DefaultDataDirectoryName);
        var bindAddress = overrides.BindAddress is { } bindOverride
            ? ParseAddress(CommandLine, "--bind", bindOverride)
            : file.BindAddress ?? IPAddress.Any;
        var xmppPort = overrides.XmppPort is { } xmppOverride
            ? ValidPort(CommandLine, "--xmpp-port", xmppOverride, allowZero: false, NodeOptions.DefaultXmppPort)
            : file.XmppPort ?? NodeOptions.DefaultXmppPort;
        var adminPort = overrides.AdminPort is { } adminOverride
            ? ValidPort(CommandLine, "--admin-port", adminOverride, allowZero: true, NodeOptions.DefaultAdminPort)
            : file.AdminPort ?? NodeOptions.DefaultAdminPort;

        var sipPort = overrides.SipPort is { } sipOverride
            ? ValidPort(CommandLine, "--sip-port", sipOverride, allowZero: true, SipServerOptions.DefaultPort)
            : file.SipPort ?? SipServerOptions.DefaultPort;
        var sipsPort = overrides.SipsPort is { } sipsOverride
            ? ValidPort(CommandLine, "--sips-port", sipsOverride, allowZero: true, SipServerOptions.DefaultTlsPort)
            : file.SipsPort ?? SipServerOptions.DefaultTlsPort;

        var replicaAgentPort = overrides.ReplicaAgentPort is { } replicaOverride
            ? ValidPort(CommandLine, "--replica-port", replicaOverride, allowZero: true, NodeOptions.DefaultReplicaAgentPort)
            : file.ReplicaAgentPort ?? (file.CmsMaster is null ? 0 : NodeOptions.DefaultReplicaAgentPort);

        if (adminPort == xmppPort)
        {
            throw new ConfigurationException(overrides.AdminPort is null && overrides.XmppPort is null ? source : CommandLine,
                "listeners.admin", $"the admin port {adminPort} is the same as the XMPP port.",
                $"use different ports (defaults: XMPP {NodeOptions.DefaultXmppPort}, admin {NodeOptions.DefaultAdminPort}; admin 0 disables it).");
        }

        RequireDistinctTcpPorts(overrides.SipPort is null && overrides.SipsPort is null ? source : CommandLine,
            [("listeners.xmpp", xmppPort), ("listeners.admin", adminPort), ("listeners.sip", sipPort), ("listeners.sipTls", sipsPort), ("listeners.replicaAgent", replicaAgentPort)]);

        if (file.CmsMaster is { } master && string.Equals(master, fqdn, StringComparison.OrdinalIgnoreCase))
        {
            throw new ConfigurationException(source, "cms.master", $"names this node ({fqdn}); cms.master is for the other nodes.",
                "remove cms.master on the master itself (absent = this node is the master), or correct fqdn if this is not the master.");
        }

        var defaults = new SipServerOptions();
        var sip = new SipServerOptions
        {
            Port = sipPort,
            TlsPort = sipsPort,
            MaxConcurrentRequests = file.SipMaxConcurrentRequests ?? defaults.MaxConcurrentRequests,
            InDialogReserve = file.SipInDialogReserve ?? defaults.InDialogReserve,
        };
        // The peer CA defaults to the deployment CA; null leaves it to the node's private CA (<data>/certs/ca.pem).
        var trustedPeerCa = file.TrustedPeerCaPath ?? file.CmsCaCertificatePath;
        return new NodeOptions
        {
            Source = source,
            Fqdn = fqdn,
            Roles = file.Roles ?? NodeRole.All,
            DataDirectory = dataDirectory,
            InitialDomain = initialDomain,
            BindAddress = bindAddress,
            XmppPort = xmppPort,
            AdminPort = adminPort,
            CertificatePath = file.CertificatePath,
            PrivateKeyPath = file.PrivateKeyPath,
            RequireTls = file.RequireTls ?? true,
            Sip = (file.DigestAlgorithms is { } algorithms ? sip with { DigestAlgorithms = algorithms } : sip) with { TrustedPeerCaPath = trustedPeerCa, DeploymentCaPath = file.CmsCaCertificatePath },
            TrustedPeerCaPath = trustedPeerCa,
            CmsMaster = file.CmsMaster,
            CmsCaCertificatePath = file.CmsCaCertificatePath,
            CmsFileShare = file.CmsFileShare,
            ReplicaAgentPort = replicaAgentPort,
        };
    }

    /// <summary>Each enabled listener needs its own TCP port (SIP also uses UDP on its port, which nothing else takes).</summary>
    private static void RequireDistinctTcpPorts(string source, (string Key, int Port)[] listeners)
    {
        for (var i = 0; i < listeners.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (listeners[i].Port != 0 && listeners[i].Port == listeners[j].Port)
                {
                    throw new ConfigurationException(source, listeners[i].Key, $"port {listeners[i].Port} is already used by {listeners[j].Key}.",
                        $"give every listener its own port (defaults: xmpp {NodeOptions.DefaultXmppPort}, admin {NodeOptions.DefaultAdminPort}, sip {SipServerOptions.DefaultPort}, sipTls {SipServerOptions.DefaultTlsPort}, replicaAgent {NodeOptions.DefaultReplicaAgentPort}; 0 disables admin, sip, sipTls and replicaAgent).");
                }
            }
        }
    }

    /// <summary>The machine's host name when it is fully qualified, else <c>parley.&lt;initialDomain&gt;</c>.</summary>
    public string DefaultFqdn(string initialDomain)
        => machineHostName.Contains('.', StringComparison.Ordinal) && Jid.TryCreate(null, machineHostName, null, out var host, out _)
            ? host.Domain
            : "parley." + initialDomain;

    private FileValues ReadFile(string configPath)
    {
        var fullPath = Path.GetFullPath(configPath, workingDirectory);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigurationException(configPath, "", $"the file does not exist ({fullPath}).",
                "correct the --config path, or leave --config out to start with defaults.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(configPath, "", $"the file cannot be read: {e.Message}",
                "make it readable by the user running parley.", e);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var line = (e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            throw new ConfigurationException(configPath, $"line {line}, column {column}", $"invalid JSON: {FirstSentence(e.Message)}",
                "correct the syntax there (quotes around keys and strings, commas between entries, matching braces).", e);
        }

        using (document)
        {
            return ReadRoot(configPath, Path.GetDirectoryName(fullPath)!, document.RootElement);
        }
    }

    private FileValues ReadRoot(string file, string fileDirectory, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigurationException(file, "", $"the file holds a JSON {Describe(root.ValueKind)}, not an object.",
                "wrap the settings in { }, e.g. { \"initialDomain\": \"example.com\" }.");
        }

        var values = new FileValues();
        foreach (var property in Properties(file, "", root, RootKeys))
        {
            var key = property.Name;
            var value = property.Value;
            switch (key)
            {
                case "fqdn":
                    values.Fqdn = ValidDomain(file, key, String(file, key, value), "give this machine's DNS name, e.g. parley1.example.com");
                    break;
                case "initialDomain":
                    values.InitialDomain = ValidDomain(file, key, String(file, key, value), "give a DNS domain such as example.com");
                    break;
                case "roles":
                    values.Roles = Roles(file, key, value);
                    break;
                case "dataDirectory":
                    values.DataDirectory = Path.GetFullPath(NonEmptyString(file, key, value, "give a directory path, e.g. /var/lib/parley"), fileDirectory);
                    break;
                case "bindAddress":
                    values.BindAddress = ParseAddress(file, key, String(file, key, value));
                    break;
                case "requireTls":
                    values.RequireTls = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw WrongType(file, key, value, "true or false", "write true (recommended) or false without quotes"),
                    };
                    break;
                case "listeners":
                    ReadListeners(file, value, values);
                    break;
                case "certificates":
                    ReadCertificates(file, fileDirectory, value, values);
                    break;
                case "sip":
                    ReadSip(file, value, values);
                    break;
                case "cms":
                    ReadCms(file, fileDirectory, value, values);
                    break;
                case "$schema":
                    break;
                default:
                    throw new InvalidOperationException($"Internal error: known key {key} not handled.");
            }
        }

        return values;
    }

    private static void ReadListeners(string file, JsonElement listeners, FileValues values)
    {
        RequireObject(file, "listeners", listeners, "{ \"xmpp\": 5222, \"admin\": 8443, \"sip\": 5060, \"sipTls\": 5062 }");
        foreach (var property in Properties(file, "listeners.", listeners, ListenerKeys))
        {
            var key = "listeners." + property.Name;
            var port = Integer(file, key, property.Value);
            switch (property.Name)
            {
                case "xmpp":
                    values.XmppPort = ValidPort(file, key, port, allowZero: false, NodeOptions.DefaultXmppPort);
                    break;
                case "admin":
                    values.AdminPort = ValidPort(file, key, port, allowZero: true, NodeOptions.DefaultAdminPort);
                    break;
                case "sip":
                    values.SipPort = ValidPort(file, key, port, allowZero: true, SipServerOptions.DefaultPort);
                    break;
                case "replicaAgent":
                    values.ReplicaAgentPort = ValidPort(file, key, port, allowZero: true, NodeOptions.DefaultReplicaAgentPort);
                    break;
                default:
                    values.SipsPort = ValidPort(file, key, port, allowZero: true, SipServerOptions.DefaultTlsPort);
                    break;
            }
        }
    }

    private static void ReadCms(string file, string fileDirectory, JsonElement cms, FileValues values)
    {
        RequireObject(file, "cms", cms, "{ \"master\": \"cms1.example.com\", \"caCertificate\": \"/etc/parley/deployment-ca.pem\" }");
        foreach (var property in Properties(file, "cms.", cms, CmsKeys))
        {
            var key = "cms." + property.Name;
            switch (property.Name)
            {
                case "master":
                    values.CmsMaster = ValidDomain(file, key, String(file, key, property.Value),
                        "give the CMS master's FQDN as in its certificate, e.g. cms1.example.com (remove the key on the master itself)");
                    break;
                case "caCertificate":
                    var caPath = Path.GetFullPath(NonEmptyString(file, key, property.Value, "give the path of the deployment CA's PEM certificate"), fileDirectory);
                    if (!File.Exists(caPath))
                    {
                        throw new ConfigurationException(file, key, $"the file {caPath} does not exist.",
                            "copy the deployment CA certificate (PEM) there, e.g. the master's <data>/certs/ca.pem, or remove the key to use this node's private CA.");
                    }

                    values.CmsCaCertificatePath = caPath;
                    break;
                default:
                    var share = Path.GetFullPath(NonEmptyString(file, key, property.Value, "give the directory the master writes snapshots to"), fileDirectory);
                    if (!System.IO.Directory.Exists(share))
                    {
                        throw new ConfigurationException(file, key, $"the directory {share} does not exist.",
                            "create or mount the share there, or remove the key to receive snapshots over HTTPS only.");
                    }

                    values.CmsFileShare = share;
                    break;
            }
        }
    }

    private static void ReadSip(string file, JsonElement sip, FileValues values)
    {
        RequireObject(file, "sip", sip, "{ \"digestAlgorithms\": [\"MD5\"] }");
        foreach (var property in Properties(file, "sip.", sip, SipKeys))
        {
            var key = "sip." + property.Name;
            switch (property.Name)
            {
                case "digestAlgorithms":
                    values.DigestAlgorithms = DigestAlgorithmList(file, key, property.Value);
                    break;
                case "maxConcurrentRequests":
                    values.SipMaxConcurrentRequests = Count(file, key, property.Value, minimum: 1, "requests handled at once before new ones get 503, default 2048");
                    break;
                default:
                    values.SipInDialogReserve = Count(file, key, property.Value, minimum: 0, "further requests inside dialogs admitted above maxConcurrentRequests, default 2048");
                    break;
            }
        }
    }

    /// <summary>An ordered, non-empty list of "MD5" and "SHA-256", each at most once: the digest challenges in the order sent.</summary>
    private static DigestAlgorithm[] DigestAlgorithmList(string file, string key, JsonElement value)
    {
        const string Fix = "list the algorithms to challenge with, in order: [\"MD5\"] (default; what deployed SIP clients support), [\"SHA-256\", \"MD5\"] or [\"SHA-256\"]";
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(file, key, value, "an array of algorithm names", Fix);
        }

        var algorithms = new List<DigestAlgorithm>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemKey = $"{key}[{index++}]";
            var name = String(file, itemKey, item);
            if (!DigestAlgorithms.TryParse(name, out var algorithm) || !ConfigurableDigestAlgorithms.Contains(algorithm))
            {
                throw new ConfigurationException(file, itemKey, $"\"{name}\" is not a digest algorithm Parley offers.",
                    "use \"MD5\" or \"SHA-256\" (the -sess forms are accepted from clients but never offered).");
            }

            if (algorithms.Contains(algorithm))
            {
                throw new ConfigurationException(file, itemKey, $"\"{name}\" is listed twice.", "keep one entry per algorithm.");
            }

            algorithms.Add(algorithm);
        }

        return algorithms.Count == 0
            ? throw new ConfigurationException(file, key, "is empty; SIP clients could not authenticate.", Fix + ", or remove the key for the default.")
            : [.. algorithms];
    }

    private static void ReadCertificates(string file, string fileDirectory, JsonElement certificates, FileValues values)
    {
        RequireObject(file, "certificates", certificates, "{ \"certificate\": \"/etc/parley/node.pem\", \"privateKey\": \"/etc/parley/node.key\" }");
        foreach (var property in Properties(file, "certificates.", certificates, CertificateKeys))
        {
            var key = "certificates." + property.Name;
            var path = Path.GetFullPath(NonEmptyString(file, key, property.Value, "give the path of a PEM file"), fileDirectory);
            if (property.Name == "trustedPeerCa")
            {
                values.TrustedPeerCaPath = File.Exists(path) ? path : throw new ConfigurationException(file, key, $"the file {path} does not exist.",
                    "put the PEM certificate(s) of the CA(s) that issue the federation peers' certificates there, or remove the key to trust the deployment CA.");
            }
            else if (property.Name == "certificate")
            {
                values.CertificatePath = path;
            }
            else
            {
                values.PrivateKeyPath = path;
            }
        }

        if ((values.CertificatePath is null) != (values.PrivateKeyPath is null))
        {
            var missing = values.CertificatePath is null ? "certificate" : "privateKey";
            throw new ConfigurationException(file, "certificates." + missing, "is missing; the certificate and its private key go together.",
                "set both certificates.certificate and certificates.privateKey, or remove the certificates section to let the node issue its own.");
        }
    }

    private static IEnumerable<JsonProperty> Properties(string file, string prefix, JsonElement element, string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                var suggestion = KeySuggestion.Closest(property.Name, known.Where(k => k != "$schema"));
                throw new ConfigurationException(file, prefix + property.Name, "unknown key.",
                    suggestion is null
                        ? $"remove it; known keys here: {string.Join(", ", known.Where(k => k != "$schema"))}."
                        : $"did you mean \"{suggestion}\"? (keys are case-sensitive) Known keys here: {string.Join(", ", known.Where(k => k != "$schema"))}.");
            }

            if (!seen.Add(property.Name))
            {
                throw new ConfigurationException(file, prefix + property.Name, "appears twice.", "keep one of the two entries.");
            }

            yield return property;
        }
    }

    private static NodeRole Roles(string file, string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(file, key, value, "an array of role names", "write e.g. [\"frontend\", \"routing\", \"edge\", \"cms\"]");
        }

        var roles = NodeRole.None;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var itemKey = $"{key}[{index++}]";
            var name = String(file, itemKey, item);
            roles |= name switch
            {
                "frontend" => NodeRole.Frontend,
                "routing" => NodeRole.Routing,
                "edge" => NodeRole.Edge,
                "cms" => NodeRole.Cms,
                _ => throw new ConfigurationException(file, itemKey, $"\"{name}\" is not a role.",
                    "use frontend, routing, edge or cms" + (KeySuggestion.Closest(name, ["frontend", "routing", "edge", "cms"]) is { } s ? $" (did you mean \"{s}\"?)" : "") + "."),
            };
        }

        if (roles == NodeRole.None)
        {
            throw new ConfigurationException(file, key, "is empty; a node needs at least one role.",
                "list its roles, e.g. [\"frontend\", \"routing\", \"edge\", \"cms\"] for a single-node deployment, or remove the key for all roles.");
        }

        return roles;
    }

    private static void RequireObject(string file, string key, JsonElement value, string example)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(file, key, value, "an object", $"write e.g. {example}");
        }
    }

    private static string String(string file, string key, JsonElement value)
        => value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongType(file, key, value, "a string", "put the value in double quotes");

    private static string NonEmptyString(string file, string key, JsonElement value, string fix)
    {
        var text = String(file, key, value);
        return string.IsNullOrWhiteSpace(text) ? throw new ConfigurationException(file, key, "is empty.", fix + ".") : text;
    }

    private static long Integer(string file, string key, JsonElement value)
        => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw WrongType(file, key, value, "a whole number", "write a port number without quotes, e.g. 5222");

    /// <summary>A whole number from <paramref name="minimum"/> to 1,000,000 (a limit; larger is a typo or a memory risk).</summary>
    private static int Count(string file, string key, JsonElement value, int minimum, string meaning)
    {
        const int Maximum = 1_000_000;
        var fix = $"give a whole number from {minimum} to {Maximum:N0}: {meaning}";
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw WrongType(file, key, value, "a whole number", fix);
        }

        return number >= minimum && number <= Maximum
            ? (int)number
            : throw new ConfigurationException(file, key, $"{number} is out of range.", fix + ".");
    }

    private static int ValidPort(string source, string key, long port, bool allowZero, int defaultPort)
        => port >= (allowZero ? 0 : 1) && port <= 65535
            ? (int)port
            : throw new ConfigurationException(source, key, $"{port} is not a port ({(allowZero ? "0 to disable, or 1" : "1")}-65535).",
                $"set a free TCP port, default {defaultPort}.");

    private static IPAddress ParseAddress(string source, string key, string text)
        => IPAddress.TryParse(text, out var address)
            ? address
            : throw new ConfigurationException(source, key, $"\"{text}\" is not an IP address.",
                "give an IPv4 or IPv6 address of this machine (e.g. 127.0.0.2), or 0.0.0.0 for all addresses.");

    private static string ValidDomain(string source, string key, string text, string fix)
        => Jid.TryCreate(null, text.Trim(), null, out var jid, out var error)
            ? jid.Domain
            : throw new ConfigurationException(source, key, $"\"{text}\" is not a valid domain name ({error?.TrimEnd('.')}).", fix + ".");

    private static ConfigurationException WrongType(string file, string key, JsonElement value, string expected, string fix)
        => new(file, key, $"is {Describe(value.ValueKind)} but must be {expected}.", fix + ".");

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "empty",
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    private sealed class FileValues
    {
        public string? Fqdn { get; set; }

        public string? InitialDomain { get; set; }

        public NodeRole? Roles { get; set; }

        public string? DataDirectory { get; set; }

        public IPAddress? BindAddress { get; set; }

        public int? XmppPort { get; set; }

        public int? AdminPort { get; set; }

        public int? SipPort { get; set; }

        public int? SipsPort { get; set; }

        public string? CertificatePath { get; set; }

        public string? PrivateKeyPath { get; set; }

        public string? TrustedPeerCaPath { get; set; }

        public bool? RequireTls { get; set; }

        public DigestAlgorithm[]? DigestAlgorithms { get; set; }

        public int? SipMaxConcurrentRequests { get; set; }

        public int? SipInDialogReserve { get; set; }

        public int? ReplicaAgentPort { get; set; }

        public string? CmsMaster { get; set; }

        public string? CmsCaCertificatePath { get; set; }

        public string? CmsFileShare { get; set; }
    }
}
