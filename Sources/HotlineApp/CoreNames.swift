import HotlineCore

// Vapor brings its own `Command` (console) and NIO its own `Channel` (sockets); inside the app
// these names mean the hotline's, as in the glossary.
typealias Command = HotlineCore.Command
typealias Channel = HotlineCore.Channel
