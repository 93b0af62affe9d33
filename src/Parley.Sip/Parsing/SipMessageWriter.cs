using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Parley.Sip.Messages;

namespace Parley.Sip.Parsing;

/// <summary>
/// Serializes a message: start line, headers in order, Content-Length computed from the body (any
/// Content-Length header in the collection is ignored), blank line, body.
/// </summary>
public static class SipMessageWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    private static ReadOnlySpan<byte> ColonSpace => ": "u8;
    private static ReadOnlySpan<byte> Version => "SIP/2.0"u8;
    private static ReadOnlySpan<byte> ContentLengthPrefix => "Content-Length: "u8;

    public static void Write(SipMessage message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        switch (message)
        {
            case SipRequest request:
                WriteUtf8(output, request.Method);
                WriteBytes(output, " "u8);
                WriteUtf8(output, request.RequestUri.ToString());
                WriteBytes(output, " "u8);
                WriteBytes(output, Version);
                break;
            case SipResponse response:
                WriteBytes(output, Version);
                WriteBytes(output, " "u8);
                WriteInt(output, response.StatusCode);
                WriteBytes(output, " "u8);
                WriteUtf8(output, response.ReasonPhrase);
                break;
            default:
                throw new InvalidOperationException($"internal bug: unknown message type {message.GetType()}");
        }
        WriteBytes(output, Crlf);

        var headers = message.Headers;
        for (var i = 0; i < headers.LineCount; i++)
        {
            var name = headers.NameAt(i);
            if (name == SipHeaderNames.ContentLength)
            {
                continue;
            }
            WriteUtf8(output, name);
            WriteBytes(output, ColonSpace);
            if (headers.TryGetRawValue(i, out var raw))
            {
                WriteBytes(output, raw.Span);
            }
            else
            {
                WriteUtf8(output, headers.ValueAt(i));
            }
            WriteBytes(output, Crlf);
        }
        WriteBytes(output, ContentLengthPrefix);
        WriteInt(output, message.Body.Length);
        WriteBytes(output, Crlf);
        WriteBytes(output, Crlf);
        WriteBytes(output, message.Body.Span);
    }

    /// <summary>The message as one exact-size array (measured first, then written in place).</summary>
    public static byte[] ToBytes(SipMessage message)
    {
        var bytes = new byte[Measure(message)];
        var output = new FixedBufferWriter(bytes);
        Write(message, output);
        if (output.Written != bytes.Length)
        {
            throw new InvalidOperationException("internal bug: Measure disagrees with Write");
        }
        return bytes;
    }

    /// <summary>The exact number of bytes <see cref="Write"/> produces (e.g. to check a UDP MTU first).</summary>
    public static int Measure(SipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var length = message switch
        {
            SipRequest request => Encoding.UTF8.GetByteCount(request.Method) + 1 + Encoding.UTF8.GetByteCount(request.RequestUri.ToString()) + 1 + Version.Length,
            SipResponse response => Version.Length + 1 + Digits(response.StatusCode) + 1 + Encoding.UTF8.GetByteCount(response.ReasonPhrase),
            _ => throw new InvalidOperationException($"internal bug: unknown message type {message.GetType()}"),
        } + Crlf.Length;
        var headers = message.Headers;
        for (var i = 0; i < headers.LineCount; i++)
        {
            var name = headers.NameAt(i);
            if (name == SipHeaderNames.ContentLength)
            {
                continue;
            }
            length += Encoding.UTF8.GetByteCount(name) + ColonSpace.Length + Crlf.Length;
            length += headers.TryGetRawValue(i, out var raw) ? raw.Length : Encoding.UTF8.GetByteCount(headers.ValueAt(i));
        }
        return length + ContentLengthPrefix.Length + Digits(message.Body.Length) + 2 * Crlf.Length + message.Body.Length;
    }

    private static int Digits(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    private static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, string text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var span = output.GetSpan(max);
        var written = Encoding.UTF8.GetBytes(text, span);
        output.Advance(written);
    }

    private static void WriteInt(IBufferWriter<byte> output, int value)
    {
        var span = output.GetSpan(11);
        if (!Utf8Formatter.TryFormat(value, span, out var written))
        {
            throw new InvalidOperationException("internal bug: an int did not fit 11 bytes");
        }
        output.Advance(written);
    }

    /// <summary>Writes into an array of known size; asking for more than is left is a measuring bug.</summary>
    private sealed class FixedBufferWriter(byte[] buffer) : IBufferWriter<byte>
    {
        public int Written { get; private set; }

        public void Advance(int count) => Written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => buffer.AsMemory(Written);

        public Span<byte> GetSpan(int sizeHint = 0) => buffer.AsSpan(Written);
    }
}
