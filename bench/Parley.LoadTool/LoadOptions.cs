using System.Globalization;

namespace Parley.LoadTool;

/// <summary>Command-line options of parley-load.</summary>
public sealed class LoadOptions
{
    public string Host { get; private set; } = "127.0.0.1";

    public int Port { get; private set; } = 5222;

    public string Domain { get; private set; } = "example.com";

    public int Users { get; private set; } = 200;

    /// <summary>Sessions per user (resources); above 1 the run measures memory only.</summary>
    public int Resources { get; private set; } = 1;

    public string Password { get; private set; } = "load-password";

    public string Prefix { get; private set; } = "load";

    public int Contacts { get; private set; } = 20;

    public int Messages { get; private set; } = 50;

    public int PresenceChanges { get; private set; } = 5;

    public int? ServerPid { get; private set; }

    public string? CaFile { get; private set; }

    public bool Insecure { get; private set; }

    public string? JsonPath { get; private set; }

    public string Label { get; private set; } = "server";

    public int LoginConcurrency { get; private set; } = 64;

    public bool Register { get; private set; }

    public TimeSpan PhaseTimeout { get; private set; } = TimeSpan.FromSeconds(300);

    public TimeSpan HoldAfter { get; private set; } = TimeSpan.Zero;

    public const string Usage = """
        parley-load: log in N XMPP clients with rosters of 20 contacts and measure a server.

        usage: parley-load [options]
          --host H            server address (default 127.0.0.1)
          --port N            XMPP c2s port (default 5222)
          --domain D          users' domain and TLS name to verify (default example.com)
          --users N           number of clients/users PREFIX1..PREFIXN@D (default 200)
          --password P        every user's password (default load-password)
          --prefix S          user name prefix (default load)
          --contacts N        roster size per user (default 20; ring neighbours i±1..i±N/2)
          --messages M        chat messages each client sends (default 50; 0 skips)
          --presence K        presence changes each client makes (default 5; 0 skips)
          --server-pid PID    server process for RSS and CPU readings (/proc/PID)
          --ca FILE           PEM CA to trust for the server certificate
          --insecure          do not verify the server certificate
          --register          create the users first by in-band registration (XEP-0077)
          --concurrency N     logins in flight at once (default 64)
          --phase-timeout S   limit for each phase in seconds (default 300)
          --hold S            keep the sessions open S seconds at the end (default 0)
          --resources R       sessions per user (default 1); R > 1 logs in users × R sessions and
                              measures login and memory only (no message or presence phase)
          --label NAME        name of the server in the output (default server)
          --json FILE         also write the results as JSON to FILE ('-' for stdout)

        Rosters: every user i gets the users i±1 … i±N/2 (mod users) as contacts, with mutual
        ('both') subscriptions. The tool checks each roster after login and, when incomplete,
        sets them up in-band (pre-approval 'subscribed', then 'subscribe', answering any request
        with 'subscribed'), so a later run against the same data starts at once.
        """;

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int(int min) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min
                ? v
                : throw new ArgumentException($"{name} needs an integer ≥ {min}");
            switch (name)
            {
                case "--host": o.Host = Value(); break;
                case "--port": o.Port = Int(1); break;
                case "--domain": o.Domain = Value(); break;
                case "--users": o.Users = Int(2); break;
                case "--resources": o.Resources = Int(1); break;
                case "--password": o.Password = Value(); break;
                case "--prefix": o.Prefix = Value(); break;
                case "--contacts": o.Contacts = Int(0); break;
                case "--messages": o.Messages = Int(0); break;
                case "--presence": o.PresenceChanges = Int(0); break;
                case "--server-pid": o.ServerPid = Int(1); break;
                case "--ca": o.CaFile = Value(); break;
                case "--insecure": o.Insecure = true; break;
                case "--register": o.Register = true; break;
                case "--concurrency": o.LoginConcurrency = Int(1); break;
                case "--phase-timeout": o.PhaseTimeout = TimeSpan.FromSeconds(Int(1)); break;
                case "--hold": o.HoldAfter = TimeSpan.FromSeconds(Int(0)); break;
                case "--label": o.Label = Value(); break;
                case "--json": o.JsonPath = Value(); break;
                case "-h" or "--help": throw new HelpRequestedException();
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (o.CaFile is null && !o.Insecure)
        {
            throw new ArgumentException("give --ca FILE (the server's CA certificate) or --insecure");
        }

        if (o.CaFile is not null && !File.Exists(o.CaFile))
        {
            throw new ArgumentException($"--ca {o.CaFile}: no such file");
        }

        o.Contacts = Math.Min(o.Contacts, o.Users - 1) / 2 * 2; // symmetric ring: an even number below N
        return o;
    }

    public string Jid(int index) => $"{Prefix}{index + 1}@{Domain}";

    public string LocalPart(int index) => $"{Prefix}{index + 1}";

    /// <summary>Contacts of user index: its ring neighbours.</summary>
    public IEnumerable<int> ContactsOf(int index)
    {
        for (var k = 1; k <= Contacts / 2; k++)
        {
            yield return (index + k) % Users;
            yield return ((index - k) % Users + Users) % Users;
        }
    }
}

public sealed class HelpRequestedException : Exception
{
}
