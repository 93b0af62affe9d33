namespace Parley.Sip.Messages;

/// <summary>Status codes and default reason phrases of RFC 3261 §21 and the extensions Parley uses.</summary>
public static class SipStatusCodes
{
    public const int Trying = 100;
    public const int Ringing = 180;
    public const int CallIsBeingForwarded = 181;
    public const int Queued = 182;
    public const int SessionProgress = 183;
    public const int Ok = 200;
    public const int Accepted = 202;
    public const int NoNotification = 204;
    public const int MultipleChoices = 300;
    public const int MovedPermanently = 301;
    public const int MovedTemporarily = 302;
    public const int UseProxy = 305;
    public const int AlternativeService = 380;
    public const int BadRequest = 400;
    public const int Unauthorized = 401;
    public const int PaymentRequired = 402;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int MethodNotAllowed = 405;
    public const int NotAcceptable = 406;
    public const int ProxyAuthenticationRequired = 407;
    public const int RequestTimeout = 408;
    public const int Gone = 410;
    public const int ConditionalRequestFailed = 412;
    public const int RequestEntityTooLarge = 413;
    public const int RequestUriTooLong = 414;
    public const int UnsupportedMediaType = 415;
    public const int UnsupportedUriScheme = 416;
    public const int BadExtension = 420;
    public const int ExtensionRequired = 421;
    public const int IntervalTooBrief = 423;
    public const int TemporarilyUnavailable = 480;
    public const int CallOrTransactionDoesNotExist = 481;
    public const int LoopDetected = 482;
    public const int TooManyHops = 483;
    public const int AddressIncomplete = 484;
    public const int Ambiguous = 485;
    public const int BusyHere = 486;
    public const int RequestTerminated = 487;
    public const int NotAcceptableHere = 488;
    public const int BadEvent = 489;
    public const int RequestPending = 491;
    public const int Undecipherable = 493;
    public const int ServerInternalError = 500;
    public const int NotImplemented = 501;
    public const int BadGateway = 502;
    public const int ServiceUnavailable = 503;
    public const int ServerTimeout = 504;
    public const int VersionNotSupported = 505;
    public const int MessageTooLarge = 513;
    public const int BusyEverywhere = 600;
    public const int Decline = 603;
    public const int DoesNotExistAnywhere = 604;
    public const int GlobalNotAcceptable = 606;

    /// <summary>The RFC reason phrase, or a class-generic one for an unknown code.</summary>
    public static string ReasonPhrase(int code) => code switch
    {
        Trying => "Trying",
        Ringing => "Ringing",
        CallIsBeingForwarded => "Call Is Being Forwarded",
        Queued => "Queued",
        SessionProgress => "Session Progress",
        Ok => "OK",
        Accepted => "Accepted",
        NoNotification => "No Notification",
        MultipleChoices => "Multiple Choices",
        MovedPermanently => "Moved Permanently",
        MovedTemporarily => "Moved Temporarily",
        UseProxy => "Use Proxy",
        AlternativeService => "Alternative Service",
        BadRequest => "Bad Request",
        Unauthorized => "Unauthorized",
        PaymentRequired => "Payment Required",
        Forbidden => "Forbidden",
        NotFound => "Not Found",
        MethodNotAllowed => "Method Not Allowed",
        NotAcceptable => "Not Acceptable",
        ProxyAuthenticationRequired => "Proxy Authentication Required",
        RequestTimeout => "Request Timeout",
        Gone => "Gone",
        ConditionalRequestFailed => "Conditional Request Failed",
        RequestEntityTooLarge => "Request Entity Too Large",
        RequestUriTooLong => "Request-URI Too Long",
        UnsupportedMediaType => "Unsupported Media Type",
        UnsupportedUriScheme => "Unsupported URI Scheme",
        BadExtension => "Bad Extension",
        ExtensionRequired => "Extension Required",
        IntervalTooBrief => "Interval Too Brief",
        TemporarilyUnavailable => "Temporarily Unavailable",
        CallOrTransactionDoesNotExist => "Call/Transaction Does Not Exist",
        LoopDetected => "Loop Detected",
        TooManyHops => "Too Many Hops",
        AddressIncomplete => "Address Incomplete",
        Ambiguous => "Ambiguous",
        BusyHere => "Busy Here",
        RequestTerminated => "Request Terminated",
        NotAcceptableHere => "Not Acceptable Here",
        BadEvent => "Bad Event",
        RequestPending => "Request Pending",
        Undecipherable => "Undecipherable",
        ServerInternalError => "Server Internal Error",
        NotImplemented => "Not Implemented",
        BadGateway => "Bad Gateway",
        ServiceUnavailable => "Service Unavailable",
        ServerTimeout => "Server Time-out",
        VersionNotSupported => "Version Not Supported",
        MessageTooLarge => "Message Too Large",
        BusyEverywhere => "Busy Everywhere",
        Decline => "Decline",
        DoesNotExistAnywhere => "Does Not Exist Anywhere",
        GlobalNotAcceptable => "Not Acceptable",
        >= 100 and < 200 => "Provisional",
        >= 200 and < 300 => "Success",
        >= 300 and < 400 => "Redirection",
        >= 400 and < 500 => "Client Error",
        >= 500 and < 600 => "Server Error",
        >= 600 and < 700 => "Global Failure",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "SIP status codes are 100-699"),
    };
}
