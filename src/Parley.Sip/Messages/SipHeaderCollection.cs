using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace Parley.Sip.Messages;

/// <summary>
/// Ordered header lines, one entry per line as received. Names are canonical (compact forms expanded)
/// and compare case-insensitively. Values of parsed messages are decoded from the received bytes on
/// first access, so headers nobody reads cost no string.
/// </summary>
public sealed class SipHeaderCollection : IReadOnlyList<SipHeader>
{
    private const int TypicalLineCount = 12;

    private readonly List<Entry> _entries;

    /// <summary>An empty collection for a message being built; room for a typical response or request without regrowing.</summary>
    public SipHeaderCollection()
    {
        _entries = new List<Entry>(TypicalLineCount);
    }

    /// <summary>A collection whose parsed lines point into <paramref name="storage"/> (the received message).</summary>
    internal SipHeaderCollection(int capacity, byte[]? storage)
    {
        _entries = new List<Entry>(capacity);
        _storage = storage;
    }

    // The received message the parsed lines' values point into; null for a built message.
    private readonly byte[]? _storage;

    /// <summary>Number of header lines. (<c>Count(name)</c> counts the lines of one name.)</summary>
    public int LineCount => _entries.Count;

    int IReadOnlyCollection<SipHeader>.Count => _entries.Count;

    public SipHeader this[int index] => new(_entries[index].Name, ValueAt(index));

    /// <summary>The value of the first line with that name, or null.</summary>
    public string? this[string name]
    {
        get
        {
            var index = IndexOf(Canonical(name), 0);
            return index < 0 ? null : ValueAt(index);
        }
    }

    /// <summary>The value of every line with that name, in order (lines are not split at commas).</summary>
    public HeaderValues GetAll(string name) => new(this, Canonical(name));

    /// <summary>Every value with that name; list headers (<see cref="SipHeaderNames.IsList"/>) are split at commas.</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        var canonical = Canonical(name);
        var split = SipHeaderNames.IsList(canonical);
        var index = IndexOf(canonical, 0);
        if (index < 0)
        {
            return [];
        }
        var next = IndexOf(canonical, index + 1);
        if (next < 0)
        {
            return split ? HeaderValueSplitter.Split(ValueAt(index)) : [ValueAt(index)];
        }
        var values = new List<string>();
        for (var i = index; i >= 0; i = IndexOf(canonical, i + 1))
        {
            if (split)
            {
                values.AddRange(HeaderValueSplitter.Split(ValueAt(i)));
            }
            else
            {
                values.Add(ValueAt(i));
            }
        }
        return values;
    }

    /// <summary>Moves on every change, so parsed values cached by <see cref="SipMessage"/> know when they are stale.</summary>
    internal int Version { get; private set; }

    public void Add(string name, string value)
    {
        _entries.Add(Validate(name, value));
        Version++;
    }

    public void Insert(int index, string name, string value)
    {
        _entries.Insert(index, Validate(name, value));
        Version++;
    }

    /// <summary>Inserts before the first line of that name, or at the top when there is none (e.g. a new Via).</summary>
    public void AddFirst(string name, string value)
    {
        var entry = Validate(name, value);
        var index = IndexOf(entry.Name, 0);
        _entries.Insert(index < 0 ? 0 : index, entry);
        Version++;
    }

    /// <summary>Replaces every line of that name with one line, kept at the position of the first.</summary>
    public void Set(string name, string value)
    {
        var entry = Validate(name, value);
        var index = IndexOf(entry.Name, 0);
        Version++;
        if (index < 0)
        {
            _entries.Add(entry);
            return;
        }
        _entries[index] = entry;
        for (var i = _entries.Count - 1; i > index; i--)
        {
            if (NameEquals(_entries[i].Name, entry.Name))
            {
                _entries.RemoveAt(i);
            }
        }
    }

    /// <summary>Removes every line of that name; returns how many were removed.</summary>
    public int Remove(string name)
    {
        var canonical = Canonical(name);
        Version++;
        return _entries.RemoveAll(e => NameEquals(e.Name, canonical));
    }

    /// <summary>Removes the first comma element of a list header (e.g. the top Via or Route), dropping the line when it was the only one.</summary>
    public bool RemoveFirstValue(string name)
    {
        var canonical = Canonical(name);
        var index = IndexOf(canonical, 0);
        if (index < 0)
        {
            return false;
        }
        var value = ValueAt(index);
        var comma = HeaderValueSplitter.NextComma(value, 0);
        var rest = comma < 0 ? ReadOnlySpan<char>.Empty : value.AsSpan(comma + 1).Trim(" \t\r\n");
        Version++;
        if (rest.IsEmpty)
        {
            _entries.RemoveAt(index);
        }
        else
        {
            _entries[index] = new Entry(_entries[index].Name, rest.ToString());
        }
        return true;
    }

    public bool Contains(string name) => IndexOf(Canonical(name), 0) >= 0;

    /// <summary>Number of lines with that name.</summary>
    public int Count(string name)
    {
        var canonical = Canonical(name);
        var count = 0;
        foreach (var entry in _entries)
        {
            if (NameEquals(entry.Name, canonical))
            {
                count++;
            }
        }
        return count;
    }

    public SipHeaderCollection Clone()
    {
        var copy = new SipHeaderCollection(_entries.Count, _storage);
        foreach (var entry in _entries)
        {
            copy._entries.Add(entry);
        }
        return copy;
    }

    public IEnumerator<SipHeader> GetEnumerator()
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Adds a line straight from the parser: name already canonical, value validated, decoded lazily.</summary>
    internal void AddRaw(string name, int offset, int length, bool folded)
    {
        _entries.Add(new Entry(name, offset, length, folded));
        Version++;
    }

    /// <summary>Appends a copy of another collection's line without decoding it.</summary>
    internal void AddCopy(SipHeaderCollection source, int index)
    {
        var entry = source._entries[index];
        // Raw offsets only make sense against the same received bytes.
        _entries.Add(ReferenceEquals(source._storage, _storage) || entry.Value is not null ? entry : new Entry(entry.Name, source.ValueAt(index)));
        Version++;
    }

    internal string NameAt(int index) => _entries[index].Name;

    /// <summary>The value's UTF-8 bytes when still undecoded and unfolded (the writer copies them without a string).</summary>
    internal bool TryGetRawValue(int index, out ReadOnlyMemory<byte> raw)
    {
        var entry = _entries[index];
        // A parsed, unfolded line's bytes are its value whether or not it has been decoded yet.
        if (_storage is null || entry.Folded || (entry.Value is not null && entry.Length == 0))
        {
            raw = default;
            return false;
        }
        raw = _storage.AsMemory(entry.Offset, entry.Length);
        return true;
    }

    internal string ValueAt(int index)
    {
        ref var entry = ref CollectionsMarshal.AsSpan(_entries)[index];
        // A benign race: two readers may both decode, and store equal strings.
        return entry.Value ??= Entry.Decode(_storage.AsSpan(entry.Offset, entry.Length), entry.Folded);
    }

    private int IndexOf(string canonical, int start)
    {
        for (var i = start; i < _entries.Count; i++)
        {
            if (NameEquals(_entries[i].Name, canonical))
            {
                return i;
            }
        }
        return -1;
    }

    private static bool NameEquals(string a, string b) => ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        // An unknown name keeps the caller's instance instead of a copy.
        return SipHeaderNames.Known(name) ?? name;
    }

    private static Entry Validate(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!SipGrammar.IsToken(name))
        {
            throw new ArgumentException($"header name '{name}' is not a token", nameof(name));
        }
        // CR or LF would let a value inject header lines (a NUL is legal inside a quoted-pair).
        if (value.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException("header value must not contain CR or LF", nameof(value));
        }
        return new Entry(Canonical(name), value);
    }

    /// <summary>One header line. A struct in the list (no object per header); the lazily decoded value is stored back in place.</summary>
    private struct Entry
    {
        // The folded flag is the sign bit of the length: 24 bytes a line instead of 32 (every message has a dozen lines).
        private readonly int _lengthAndFolded;

        public Entry(string name, string value)
        {
            Name = name;
            Value = value;
        }

        public Entry(string name, int offset, int length, bool folded)
        {
            Name = name;
            Offset = offset;
            _lengthAndFolded = folded ? length | int.MinValue : length;
        }

        public string Name { get; }

        /// <summary>Where a parsed value lies in the received bytes (Length 0 for a built line).</summary>
        public int Offset { get; }

        public readonly int Length => _lengthAndFolded & int.MaxValue;

        public readonly bool Folded => _lengthAndFolded < 0;

        /// <summary>The decoded value, null until first read for a parsed line.</summary>
        public string? Value { get; set; }

        /// <summary>UTF-8 to string; folded continuation lines (CRLF + whitespace) become a single space.</summary>
        public static string Decode(ReadOnlySpan<byte> raw, bool folded)
        {
            if (!folded)
            {
                return Encoding.UTF8.GetString(raw);
            }
            var text = Encoding.UTF8.GetString(raw);
            var builder = new StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] is '\r' or '\n')
                {
                    while (i + 1 < text.Length && text[i + 1] is '\r' or '\n' or ' ' or '\t')
                    {
                        i++;
                    }
                    // Trailing whitespace before the fold collapses into the same single space.
                    while (builder.Length > 0 && builder[^1] is ' ' or '\t')
                    {
                        builder.Length--;
                    }
                    builder.Append(' ');
                    continue;
                }
                builder.Append(text[i]);
            }
            return builder.ToString();
        }
    }

    /// <summary>
    /// The values of the lines with one name, as <see cref="GetAll"/> returns them: a struct, so a foreach over it (the
    /// authenticator's and the loop check's, for every request) allocates no iterator.
    /// </summary>
    public readonly struct HeaderValues : IEnumerable<string>
    {
        private readonly SipHeaderCollection _headers;
        private readonly string _name;

        internal HeaderValues(SipHeaderCollection headers, string name)
        {
            _headers = headers;
            _name = name;
        }

        public Enumerator GetEnumerator() => new(_headers, _name);

        IEnumerator<string> IEnumerable<string>.GetEnumerator() => GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public struct Enumerator : IEnumerator<string>
        {
            private readonly SipHeaderCollection _headers;
            private readonly string _name;
            private const int Finished = int.MinValue;
            private int _index;

            internal Enumerator(SipHeaderCollection headers, string name)
            {
                _headers = headers;
                _name = name;
                _index = -1;
            }

            public readonly string Current => _headers.ValueAt(_index);

            readonly object IEnumerator.Current => Current;

            public bool MoveNext()
            {
                if (_index == Finished)
                {
                    return false; // stays finished, as an iterator does
                }

                var next = _headers.IndexOf(_name, _index + 1);
                _index = next < 0 ? Finished : next;
                return next >= 0;
            }

            public void Reset() => _index = -1;

            public readonly void Dispose()
            {
            }
        }
    }
}
