namespace Parley.Server.Xmpp.C2s;

/// <summary>Which deadline closed a connection.</summary>
internal enum TimeoutReason
{
    None,
    Handshake,
    StanzaIncomplete,
    Idle,

    /// <summary>The client stopped reading: a write did not complete in time.</summary>
    WriteStalled,
}
