import './ui/app/tapedeck-app.ts';
