using System.Buffers;

namespace Parley.Xmpp.Xml;

/// <summary>A node of a parsed stanza: an <see cref="Element"/> or a run of <see cref="XmlText"/>.</summary>
public abstract class XmlNode
{
    internal XmlNode() { }
}

/// <summary>Character data, already unescaped.</summary>
public sealed class XmlText(string value) : XmlNode
{
    public string Value { get; set; } = value;
}

/// <summary>An attribute. <see cref="Namespace"/> is empty for unprefixed attributes; xml:lang is stored as Name "xml:lang".</summary>
public readonly record struct XmlAttribute(string Name, string Value, string Namespace = "");

/// <summary>
/// A small mutable XML element tree, the unit the server routes. Namespaces are resolved:
/// <see cref="Namespace"/> is the element's namespace URI, never a prefix.
/// </summary>
public sealed partial class Element : XmlNode
{
    private List<XmlAttribute>? _attributes;
    private List<XmlNode>? _nodes;

    public Element(string name, string ns)
    {
        Name = name;
        Namespace = ns;
    }

    public string Name { get; set; }

    public string Namespace { get; set; }

    public IReadOnlyList<XmlAttribute> Attributes => (IReadOnlyList<XmlAttribute>?)_attributes ?? [];

    public IReadOnlyList<XmlNode> Nodes => (IReadOnlyList<XmlNode>?)_nodes ?? [];

    public bool Is(string name, string ns) => Name == name && Namespace == ns;

    public string? GetAttribute(string name)
    {
        if (_attributes is null)
        {
            return null;
        }

        foreach (var attribute in _attributes)
        {
            if (attribute.Name == name && attribute.Namespace.Length == 0)
            {
                return attribute.Value;
            }
        }

        return null;
    }

    /// <summary>Sets an unprefixed attribute (or xml:lang); null removes it.</summary>
    public Element SetAttribute(string name, string? value)
    {
        _attributes ??= [];
        for (var i = 0; i < _attributes.Count; i++)
        {
            if (_attributes[i].Name == name && _attributes[i].Namespace.Length == 0)
            {
                if (value is null)
                {
                    _attributes.RemoveAt(i);
                }
                else
                {
                    _attributes[i] = new XmlAttribute(name, value);
                }

                return this;
            }
        }

        if (value is not null)
        {
            _attributes.Add(new XmlAttribute(name, value));
        }

        return this;
    }

    /// <summary>Sizes the attribute list up front: the parser knows the count, so the list never regrows.</summary>
    internal void EnsureAttributeCapacity(int count)
    {
        if (count > 0)
        {
            _attributes ??= new List<XmlAttribute>(count);
        }
    }

    public Element AddAttribute(XmlAttribute attribute)
    {
        (_attributes ??= []).Add(attribute);
        return this;
    }

    public Element Add(XmlNode node)
    {
        (_nodes ??= []).Add(node);
        return this;
    }

    public Element AddText(string text) => Add(new XmlText(text));

    /// <summary>Adds a child and returns the child, for fluent building of nested content.</summary>
    public Element AddChild(string name, string ns)
    {
        var child = new Element(name, ns);
        Add(child);
        return child;
    }

    public bool Remove(XmlNode node) => _nodes?.Remove(node) ?? false;

    public IEnumerable<Element> Elements()
    {
        if (_nodes is null)
        {
            yield break;
        }

        foreach (var node in _nodes)
        {
            if (node is Element element)
            {
                yield return element;
            }
        }
    }

    public Element? Child(string name, string ns)
    {
        if (_nodes is null)
        {
            return null;
        }

        foreach (var node in _nodes)
        {
            if (node is Element element && element.Name == name && element.Namespace == ns)
            {
                return element;
            }
        }

        return null;
    }

    /// <summary>The first child in the namespace, whatever its name (e.g. the payload of an IQ).</summary>
    public Element? FirstChild(string? ns = null)
    {
        if (_nodes is null)
        {
            return null;
        }

        foreach (var node in _nodes)
        {
            if (node is Element element && (ns is null || element.Namespace == ns))
            {
                return element;
            }
        }

        return null;
    }

    /// <summary>The concatenated direct text content.</summary>
    public string Text
    {
        get
        {
            if (_nodes is null)
            {
                return string.Empty;
            }

            if (_nodes.Count == 1 && _nodes[0] is XmlText single)
            {
                return single.Value;
            }

            return string.Concat(_nodes.OfType<XmlText>().Select(t => t.Value));
        }
    }

    public string? ChildText(string name, string ns) => Child(name, ns)?.Text;

    public Element Clone()
    {
        var copy = new Element(Name, Namespace);
        if (_attributes is not null)
        {
            copy._attributes = [.. _attributes];
        }

        if (_nodes is not null)
        {
            copy._nodes = new List<XmlNode>(_nodes.Count);
            foreach (var node in _nodes)
            {
                copy._nodes.Add(node is Element e ? e.Clone() : new XmlText(((XmlText)node).Value));
            }
        }

        return copy;
    }
}
