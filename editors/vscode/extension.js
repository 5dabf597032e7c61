// The Specie extension: highlighting comes from the TextMate grammar; everything else
// (diagnostics, hover, definition, references, completion, symbols, fixes, formatting)
// from `specie lsp`, started from the PATH or from the `specie.server.path` setting.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('specie').get('server.path') || 'specie';
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'specie' },
      { scheme: 'untitled', language: 'specie' },
    ],
  };
  client = new LanguageClient('specie', 'Specie', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('specie.server.path')) {
        vscode.window.showInformationMessage('Specie: reload the window to use the new server path.');
      }
    }),
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
