using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Benchmarks.Sip;

/// <summary>
/// Writing messages: received ones being forwarded (header values still raw bytes) and ones built by
/// the server (values are strings), into a reused buffer as a transport does.
/// </summary>
[MemoryDiagnoser]
public class SipSerializationBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private SipMessage _register = null!;
    private SipMessage _invite = null!;
    private SipMessage _message = null!;
    private SipMessage _notify = null!;
    private SipResponse _builtOk = null!;
    private SipRequest _builtNotify = null!;

    [GlobalSetup]
    public void Setup()
    {
        var parser = new SipMessageParser(new SipLimits());
        _register = parser.ParseDatagram(SipSamples.Bytes(SipSamples.Register));
        _invite = parser.ParseDatagram(SipSamples.Bytes(SipSamples.Invite));
        _message = parser.ParseDatagram(SipSamples.Bytes(SipSamples.Message));
        _notify = parser.ParseDatagram(SipSamples.Bytes(SipSamples.Notify));

        _builtOk = SipResponse.CreateFor((SipRequest)_register, SipStatusCodes.Ok, toTag: "as4f8b2c");
        _builtOk.Headers.Add(SipHeaderNames.Contact, "<sip:alice@192.0.2.10:50612;transport=tcp>;expires=3600");
        _builtOk.Headers.Add(SipHeaderNames.Date, "Sat, 21 Nov 2026 13:37:00 GMT");

        var notify = (SipRequest)_notify;
        _builtNotify = SipRequest.Create(SipMethods.Notify, notify.RequestUri);
        foreach (var header in notify.Headers)
        {
            _builtNotify.Headers.Add(header.Name, header.Value);
        }
        _builtNotify.Body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(notify.Body.Span));
    }

    [Benchmark(Baseline = true)]
    public int Register() => Write(_register);

    [Benchmark]
    public int Invite() => Write(_invite);

    [Benchmark]
    public int Message() => Write(_message);

    [Benchmark]
    public int NotifyPidf() => Write(_notify);

    [Benchmark]
    public int BuiltRegisterOk() => Write(_builtOk);

    [Benchmark]
    public int BuiltNotifyPidf() => Write(_builtNotify);

    [Benchmark]
    public byte[] InviteToBytes() => SipMessageWriter.ToBytes(_invite);

    private int Write(SipMessage message)
    {
        _output.ResetWrittenCount();
        SipMessageWriter.Write(message, _output);
        return _output.WrittenCount;
    }
}
