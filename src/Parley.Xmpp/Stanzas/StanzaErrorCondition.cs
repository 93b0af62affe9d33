namespace Parley.Xmpp.Stanzas;

/// <summary>Defined stanza error conditions (RFC 6120 §8.3.3) that Parley sends.</summary>
public enum StanzaErrorCondition
{
    BadRequest,
    Conflict,
    FeatureNotImplemented,
    Forbidden,
    ItemNotFound,
    NotAcceptable,
    NotAllowed,
    NotAuthorized,
    PolicyViolation,
    RecipientUnavailable,
    RemoteServerNotFound,
    ResourceConstraint,
    ServiceUnavailable,
    JidMalformed,
    InternalServerError,
    UndefinedCondition,
    UnexpectedRequest,
}

/// <summary>The error type attribute (RFC 6120 §8.3.2): what the sender should do about it.</summary>
public enum StanzaErrorType
{
    /// <summary>Do not retry.</summary>
    Cancel,

    /// <summary>Retry after changing the data sent.</summary>
    Modify,

    /// <summary>Retry after providing credentials.</summary>
    Auth,

    /// <summary>Retry after waiting (temporary).</summary>
    Wait,

    /// <summary>Proceed: the condition was only a warning.</summary>
    Continue,
}
