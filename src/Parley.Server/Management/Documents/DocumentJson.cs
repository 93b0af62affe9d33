using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Server.Management.Documents;

/// <summary>
/// The one JSON form of the documents: the store's rows, the snapshot payload, <c>parley config show|set</c> and the
/// admin API. camelCase, properties in declaration order, enums as camelCase strings, dictionaries written in
/// ordinal key order, no indentation: the same configuration always gives the same bytes. Reading is strict
/// (unknown properties, missing required ones and nulls where none are allowed are errors naming the field).
/// </summary>
public static class DocumentJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions(indented: false);

    /// <summary>For people: <c>parley config show</c>.</summary>
    public static JsonSerializerOptions Indented { get; } = CreateOptions(indented: true);

    public static bool IsDocumentName(string name) => DocumentNames.All.Contains(name, StringComparer.Ordinal);

    /// <summary>The document's CLR type; throws for an unknown name.</summary>
    public static Type TypeOf(string name) => name switch
    {
        DocumentNames.Topology => typeof(Topology),
        DocumentNames.Domains => typeof(IReadOnlyList<string>),
        DocumentNames.Presence => typeof(PresenceSettings),
        DocumentNames.Federation => typeof(FederationOptions),
        DocumentNames.StaticRoutes => typeof(IReadOnlyList<StaticRoute>),
        DocumentNames.IncomingAcl => typeof(IReadOnlyList<AclEntry>),
        DocumentNames.TlsListeners => typeof(IReadOnlyList<TlsListener>),
        DocumentNames.TlsPeerSubjects => typeof(IReadOnlyList<TlsPeerSubject>),
        DocumentNames.SipFederationDomains => typeof(IReadOnlyList<SipFederationDomain>),
        _ => throw UnknownDocument(name),
    };

    public static object Get(DeploymentConfiguration configuration, string name) => name switch
    {
        DocumentNames.Topology => configuration.Topology,
        DocumentNames.Domains => configuration.Domains,
        DocumentNames.Presence => configuration.Presence,
        DocumentNames.Federation => configuration.Federation,
        DocumentNames.StaticRoutes => configuration.StaticRoutes,
        DocumentNames.IncomingAcl => configuration.IncomingAcl,
        DocumentNames.TlsListeners => configuration.TlsListeners,
        DocumentNames.TlsPeerSubjects => configuration.TlsPeerSubjects,
        DocumentNames.SipFederationDomains => configuration.SipFederationDomains,
        _ => throw UnknownDocument(name),
    };

    public static DeploymentConfiguration With(DeploymentConfiguration configuration, string name, object document) => name switch
    {
        DocumentNames.Topology => configuration with { Topology = (Topology)document },
        DocumentNames.Domains => configuration with { Domains = (IReadOnlyList<string>)document },
        DocumentNames.Presence => configuration with { Presence = (PresenceSettings)document },
        DocumentNames.Federation => configuration with { Federation = (FederationOptions)document },
        DocumentNames.StaticRoutes => configuration with { StaticRoutes = (IReadOnlyList<StaticRoute>)document },
        DocumentNames.IncomingAcl => configuration with { IncomingAcl = (IReadOnlyList<AclEntry>)document },
        DocumentNames.TlsListeners => configuration with { TlsListeners = (IReadOnlyList<TlsListener>)document },
        DocumentNames.TlsPeerSubjects => configuration with { TlsPeerSubjects = (IReadOnlyList<TlsPeerSubject>)document },
        DocumentNames.SipFederationDomains => configuration with { SipFederationDomains = (IReadOnlyList<SipFederationDomain>)document },
        _ => throw UnknownDocument(name),
    };

    public static string Serialize(DeploymentConfiguration configuration, string name, bool indented = false)
        => JsonSerializer.Serialize(Get(configuration, name), TypeOf(name), indented ? Indented : Options);

    /// <summary>Parses one document; throws <see cref="ConfigurationValidationException"/> naming the field on bad JSON.</summary>
    public static object Deserialize(string name, string json)
    {
        var type = TypeOf(name);
        try
        {
            return JsonSerializer.Deserialize(json, type, Options)
                   ?? throw Invalid(name, "$", "the document is null", $"give a JSON {(type.IsGenericType ? "array" : "object")}");
        }
        catch (JsonException e)
        {
            var path = e.Path is null or "$" ? name : name + e.Path.TrimStart('$');
            throw Invalid(name, path, Problem(e), "correct the JSON (names are camelCase; `parley config show " + name + " --json` prints the current document)");
        }
    }

    private static string Problem(JsonException e)
    {
        // The serializer's message ends with the path and position we report separately.
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
    }

    private static ConfigurationValidationException Invalid(string name, string path, string problem, string fix)
        => new([new ConfigurationError(path == "$" ? name : path, problem, fix)]);

    private static ArgumentException UnknownDocument(string name)
        => new($"Unknown configuration document '{name}'. Fix: use one of {string.Join(", ", DocumentNames.All)}.", nameof(name));

    private static JsonSerializerOptions CreateOptions(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            WriteIndented = indented,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.Converters.Add(new SortedStringDictionaryConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
