using Parley.Sip.Messages;
using Parley.Sip.Transactions;
using Parley.Sip.Transport;

namespace Parley.Sip.Tests.Transactions;

/// <summary>A transaction layer on a fake clock and transport.</summary>
public sealed class TransactionFixture
{
    public TransactionFixture()
    {
        Transport = new FakeTransport(Time);
        Layer = new TransactionLayer(Transport, User, SipTimers.Default, Time, Log);
    }

    public FakeTimeProvider Time { get; } = new();

    public FakeTransport Transport { get; }

    public RecordingUser User { get; } = new();

    public RecordingLogger<TransactionLayer> Log { get; } = new();

    public TransactionLayer Layer { get; }

    public ValueTask Receive(SipMessage message, SipSource? source = null) => Layer.OnMessageAsync(message, source ?? TestMessages.Udp, CancellationToken.None);

    public void Advance(double seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));

    public static TimeSpan Seconds(double value) => TimeSpan.FromSeconds(value);
}
