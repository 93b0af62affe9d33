using Parley.Xmpp;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp.Services;

/// <summary>XEP-0030 answers for the server and for user accounts.</summary>
public static class ServiceDiscovery
{
    private static readonly string[] ServerFeatures =
    [
        XmppNamespaces.DiscoInfo,
        XmppNamespaces.DiscoItems,
        XmppNamespaces.Ping,
        XmppNamespaces.Version,
        XmppNamespaces.Blocking,
        XmppNamespaces.Roster,
        XmppNamespaces.StreamManagement,
        "msgoffline",
    ];

    private static readonly string[] AccountFeatures = [XmppNamespaces.DiscoInfo, XmppNamespaces.DiscoItems];

    public static Element ServerInfo(Element request) => Info(request, "server", "im", "Parley", ServerFeatures);

    public static Element AccountInfo(Element request) => Info(request, "account", "registered", null, AccountFeatures);

    public static Element EmptyItems(Element request)
    {
        var result = Stanza.Result(request, null);
        result.AddChild("query", XmppNamespaces.DiscoItems).SetAttribute("node", request.FirstChild()?.GetAttribute("node"));
        return result;
    }

    private static Element Info(Element request, string category, string type, string? name, IEnumerable<string> features)
    {
        var result = Stanza.Result(request, null);
        var query = result.AddChild("query", XmppNamespaces.DiscoInfo);
        query.SetAttribute("node", request.FirstChild()?.GetAttribute("node"));
        var identity = query.AddChild("identity", XmppNamespaces.DiscoInfo);
        identity.SetAttribute("category", category).SetAttribute("type", type).SetAttribute("name", name);
        foreach (var feature in features)
        {
            query.AddChild("feature", XmppNamespaces.DiscoInfo).SetAttribute("var", feature);
        }

        return result;
    }
}
