namespace Parley.Cli;

/// <summary>Exit codes scripts can rely on.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation was refused or failed (user exists, user not found, domain has users…); nothing changed.</summary>
    public const int Refused = 1;

    /// <summary>Bad arguments or input file: unknown option, missing value, invalid JID or domain, invalid import file.</summary>
    public const int Usage = 2;

    /// <summary>Bootstrap configuration or data directory unusable (unreadable, unwritable, no store there).</summary>
    public const int Configuration = 3;

    /// <summary>The store failed (disk full, damaged file, lock held too long).</summary>
    public const int Storage = 4;

    /// <summary>A configuration change on a node that is not the CMS master; the message names the master. Nothing changed.</summary>
    public const int NotMaster = 5;

    /// <summary>Stopped by SIGINT/SIGTERM (128 + 2, the shell convention). A bulk import keeps the batches it committed.</summary>
    public const int Interrupted = 130;
}
