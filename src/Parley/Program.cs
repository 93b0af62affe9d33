using Parley.Cli;

SocketContinuations.RunInlineUnlessConfigured();
return await Cli.RunAsync(args, Console.In, Console.Out, Console.Error, Environment.CurrentDirectory,
    errorIsTerminal: !Console.IsErrorRedirected, CancellationToken.None);
