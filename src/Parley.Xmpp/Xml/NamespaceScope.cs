using Parley.Xmpp.Streams;

namespace Parley.Xmpp.Xml;

/// <summary>
/// In-scope namespace bindings while parsing: a stack of (prefix, URI) with marks per element.
/// The prefix "" is the default namespace. Lookups scan from the innermost binding; nesting is shallow.
/// </summary>
internal sealed class NamespaceScope
{
    private (string Prefix, string Uri)[] _bindings = new (string, string)[16];
    private int _count;

    public int Mark => _count;

    public void Clear() => _count = 0;

    public void PopTo(int mark) => _count = mark;

    public void Bind(string prefix, string uri)
    {
        if (_count == _bindings.Length)
        {
            Array.Resize(ref _bindings, _bindings.Length * 2);
        }

        _bindings[_count++] = (prefix, uri);
    }

    /// <summary>The URI bound to <paramref name="prefix"/>, or null; "xml" is always bound.</summary>
    public string? Lookup(string prefix)
    {
        for (var i = _count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_bindings[i].Prefix, prefix) || _bindings[i].Prefix == prefix)
            {
                return _bindings[i].Uri;
            }
        }

        return prefix == "xml" ? XmppNamespaces.Xml : null;
    }

    public string DefaultNamespace => Lookup(string.Empty) ?? string.Empty;

    /// <summary>Validates and records an xmlns or xmlns:p declaration (Namespaces in XML §3).</summary>
    public void Declare(string prefix, string uri)
    {
        if (prefix == "xmlns")
        {
            XmppStreamThrow.NotWellFormed("the xmlns prefix cannot be declared");
        }

        if (prefix == "xml" ? uri != XmppNamespaces.Xml : uri == XmppNamespaces.Xml)
        {
            XmppStreamThrow.NotWellFormed("the xml prefix is bound only to its own namespace");
        }

        if (prefix.Length > 0 && uri.Length == 0)
        {
            XmppStreamThrow.NotWellFormed("a prefix cannot be undeclared in XML 1.0");
        }

        Bind(prefix, uri);
    }
}
