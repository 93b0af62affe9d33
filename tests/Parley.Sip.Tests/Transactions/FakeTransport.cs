using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transactions;

/// <summary>Records what the transaction layer sends, with the fake clock's time; can be told to fail.</summary>
public sealed class FakeTransport(FakeTimeProvider time) : ISipTransport
{
    private readonly Lock _gate = new();
    private readonly List<Sent> _sent = [];

    public bool Fail { get; set; }

    public IReadOnlyList<Sent> All
    {
        get
        {
            lock (_gate)
            {
                return _sent.ToArray();
            }
        }
    }

    public IReadOnlyList<SipResponse> Responses => All.Select(s => s.Message).OfType<SipResponse>().ToArray();

    public IReadOnlyList<SipRequest> Requests => All.Select(s => s.Message).OfType<SipRequest>().ToArray();

    /// <summary>When each message with this status (or method) was sent, relative to the clock's start.</summary>
    public IReadOnlyList<TimeSpan> TimesOf(Func<SipMessage, bool> match) => All.Where(s => match(s.Message)).Select(s => s.At).ToArray();

    public ValueTask SendAsync(SipMessage message, SipDestination destination, CancellationToken ct) => Record(message, destination);

    public ValueTask SendResponseAsync(SipResponse response, SipSource source, CancellationToken ct) => Record(response, source);

    public string LocalHost(SipTransportKind transport) => "proxy.example.net";

    public int LocalPort(SipTransportKind transport) => transport == SipTransportKind.Tls ? 5061 : 5060;

    private ValueTask Record(SipMessage message, object target)
    {
        if (Fail)
        {
            return ValueTask.FromException(new SipTransportException("connection refused (test)"));
        }

        lock (_gate)
        {
            _sent.Add(new Sent(message, time.Elapsed, target));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A message sent, when, and where to (the <see cref="SipDestination"/> or, for a response, the <see cref="SipSource"/>).</summary>
    public sealed record Sent(SipMessage Message, TimeSpan At, object Target);
}
