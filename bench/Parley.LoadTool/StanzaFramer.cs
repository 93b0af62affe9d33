namespace Parley.LoadTool;

/// <summary>
/// Finds the ends of top-level stanzas in a byte stream without parsing them: tracks tags,
/// quotes, comments, CDATA and processing instructions, and the element depth. Depth 1 is
/// "inside the stream element"; a stanza is complete when depth returns to 1. State survives
/// across reads so a stanza may arrive in pieces.
/// </summary>
public struct StanzaFramer
{
    private enum Mode : byte
    {
        Text,
        TagOpen,
        StartTag,
        EndTag,
        Instruction,
        Bang,
        Comment,
        CData,
        Declaration,
    }

    private Mode _mode;
    private byte _quote;
    private byte _last;
    private byte _beforeLast;
    private int _depth;
    private int _tagStart;

    /// <summary>Start from inside the stream element (after the stream header).</summary>
    public static StanzaFramer InsideStream() => new() { _depth = 1 };

    public bool StreamClosed { get; private set; }

    /// <summary>
    /// Scans buffer[from..end). Returns the index one past the end of the first complete stanza
    /// and its start, or -1 if none completes before end. Call again from the returned index.
    /// </summary>
    public int Next(ReadOnlySpan<byte> buffer, int from, out int stanzaStart)
    {
        stanzaStart = -1;
        for (var i = from; i < buffer.Length; i++)
        {
            var b = buffer[i];
            switch (_mode)
            {
                case Mode.Text:
                    if (b == (byte)'<')
                    {
                        _mode = Mode.TagOpen;
                        _tagStart = i;
                    }

                    break;
                case Mode.TagOpen:
                    _mode = b switch
                    {
                        (byte)'/' => Mode.EndTag,
                        (byte)'?' => Mode.Instruction,
                        (byte)'!' => Mode.Bang,
                        _ => Mode.StartTag,
                    };
                    if (_mode == Mode.StartTag && _depth == 1)
                    {
                        StanzaStartAt = _tagStart;
                    }

                    break;
                case Mode.StartTag:
                    if (_quote != 0)
                    {
                        if (b == _quote)
                        {
                            _quote = 0;
                        }
                    }
                    else if (b is (byte)'"' or (byte)'\'')
                    {
                        _quote = b;
                    }
                    else if (b == (byte)'>')
                    {
                        _mode = Mode.Text;
                        if (_last != (byte)'/')
                        {
                            _depth++;
                        }
                        else if (_depth == 1)
                        {
                            stanzaStart = StanzaStartAt;
                            _last = b;
                            return i + 1;
                        }
                    }

                    break;
                case Mode.EndTag:
                    if (b == (byte)'>')
                    {
                        _mode = Mode.Text;
                        _depth--;
                        if (_depth == 1)
                        {
                            stanzaStart = StanzaStartAt;
                            _last = b;
                            return i + 1;
                        }

                        if (_depth <= 0)
                        {
                            StreamClosed = true;
                            _depth = 0;
                        }
                    }

                    break;
                case Mode.Instruction:
                    if (b == (byte)'>' && _last == (byte)'?')
                    {
                        _mode = Mode.Text;
                    }

                    break;
                case Mode.Bang:
                    _mode = b switch
                    {
                        (byte)'[' => Mode.CData,
                        (byte)'-' => Mode.Comment,
                        _ => Mode.Declaration,
                    };
                    break;
                case Mode.Comment:
                    if (b == (byte)'>' && _last == (byte)'-' && _beforeLast == (byte)'-')
                    {
                        _mode = Mode.Text;
                    }

                    break;
                case Mode.CData:
                    if (b == (byte)'>' && _last == (byte)']' && _beforeLast == (byte)']')
                    {
                        _mode = Mode.Text;
                    }

                    break;
                case Mode.Declaration:
                    if (b == (byte)'>')
                    {
                        _mode = Mode.Text;
                    }

                    break;
            }

            _beforeLast = _last;
            _last = b;
        }

        return -1;
    }

    /// <summary>Where the stanza being read started (an index into the current buffer).</summary>
    public int StanzaStartAt { readonly get; private set; }

    /// <summary>
    /// The first buffer index still needed to deliver the stanza being read (bytes before it can
    /// be discarded); filled when no stanza is in progress.
    /// </summary>
    public readonly int KeepFrom(int filled) => _depth >= 2
        ? StanzaStartAt
        : _depth == 1 && _mode is Mode.TagOpen or Mode.StartTag ? _tagStart : filled;

    /// <summary>The buffer was compacted: indexes move down by shift.</summary>
    public void Shift(int shift)
    {
        StanzaStartAt -= shift;
        _tagStart -= shift;
    }
}
