using System.Net;
using System.Security.Cryptography.X509Certificates;
using Parley.Server.Diagnostics;
using Parley.Server.Sip;
using Parley.Server.Sip.Core;
using Parley.Server.Tests.Support;
using Parley.Sip.Messages;
using Parley.Sip.Transport;

namespace Parley.Server.Tests.Sip.Core;

/// <summary>Which transport happenings become catalogue events.</summary>
public sealed class SipTransportEventsTests
{
    private readonly RecordingEventLog _events = new();

    [Fact]
    public void A_connection_closed_because_the_other_side_did_not_read_raises_the_slow_reader_event_naming_it()
    {
        Observer().OnConnectionClosed(new ClosedConnection(), SipConnectionCloseReason.SlowReader);

        var (definition, args) = Assert.Single(_events.Raised);
        Assert.Equal(ParleyEvents.Sip.SlowReaderClosed, definition);
        Assert.Equal("TCP 192.0.2.7:5060", args[0]);
    }

    [Theory]
    [InlineData(SipConnectionCloseReason.Idle)]
    [InlineData(SipConnectionCloseReason.RemoteClosed)]
    public void Routine_closes_raise_nothing(SipConnectionCloseReason reason)
    {
        Observer().OnConnectionClosed(new ClosedConnection(), reason);

        Assert.Empty(_events.Raised);
    }

    private SipTransportEvents Observer() => new(_events, new SourceEventThrottle(_events, new SipServerOptions(), TimeProvider.System));

    private sealed class ClosedConnection : ISipConnection
    {
        public SipTransportKind Transport => SipTransportKind.Tcp;

        public IPEndPoint Remote { get; } = new(IPAddress.Parse("192.0.2.7"), 5060);

        public IPEndPoint Local { get; } = new(IPAddress.Loopback, 5060);

        public X509Certificate2? PeerCertificate => null;

        public bool IsOpen => false;

        public SipConnectionCloseReason? CloseReason => SipConnectionCloseReason.SlowReader;

        public ValueTask SendAsync(SipMessage message, CancellationToken ct) => throw new InvalidOperationException("closed");

        public void Close(SipConnectionCloseReason reason)
        {
        }
    }
}
