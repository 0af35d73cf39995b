// First import: zod must be configured before the contract's schemas are created.
import './api/configure-zod';

import { createPinia } from 'pinia';
import { createApp } from 'vue';

import App from './App.vue';
import './styles/app.css';

createApp(App).use(createPinia()).mount('#app');
