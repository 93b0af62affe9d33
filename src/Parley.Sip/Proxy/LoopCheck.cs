namespace Parley.Sip.Proxy;

/// <summary>What RFC 3261 §16.3 item 4 concludes about a request arriving at a proxy.</summary>
public enum LoopCheck
{
    /// <summary>This proxy has not forwarded the request before.</summary>
    None,

    /// <summary>Forwarded before, but something affecting routing changed (e.g. the Request-URI): process it.</summary>
    Spiral,

    /// <summary>Forwarded before with the same routing information: answer 482 Loop Detected.</summary>
    Loop,
}
