using Microsoft.Extensions.Logging;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transport;

/// <summary>What every listener and connection of one host shares.</summary>
internal sealed class TransportServices(
    SipTransportLimits limits,
    SipLimits parserLimits,
    TimeProvider time,
    ILogger logger,
    ISipTransportObserver observer,
    SipTransportCounters counters,
    ISipMessageHandler handler,
    ConnectionTable connections)
{
    public SipTransportLimits Limits { get; } = limits;

    public SipLimits ParserLimits { get; } = parserLimits;

    public TimeProvider Time { get; } = time;

    public ILogger Logger { get; } = logger;

    public ISipTransportObserver Observer { get; } = observer;

    public SipTransportCounters Counters { get; } = counters;

    public ISipMessageHandler Handler { get; } = handler;

    public ConnectionTable Connections { get; } = connections;

    /// <summary>Counts, logs and reports a parse failure; the caller answers it.</summary>
    public void ReportMalformed(SipParseException error, SipSource source)
    {
        Counters.Reject(error.Reason);
        Log.Malformed(Logger, source.ToString(), error.Reason, error.StatusCode, error.Detail);
        Observer.OnMalformed(error, source);
        Handler.OnMalformed(error, source);
    }
}
