// The Element Plus components the console uses, registered globally by name so
// that the bundle carries only these (add a component here when a page needs it).
import {
  ElAlert, ElAside, ElBadge, ElButton, ElCard, ElCheckbox, ElConfigProvider, ElContainer, ElDatePicker,
  ElDescriptions, ElDescriptionsItem, ElDialog, ElDropdown, ElDropdownItem, ElDropdownMenu,
  ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElLoading, ElMain,
  ElMenu, ElMenuItem, ElOption, ElPopover, ElProgress, ElRadioButton, ElRadioGroup, ElResult, ElSelect,
  ElSwitch, ElTable, ElTableColumn, ElTabPane, ElTabs, ElTag,
} from 'element-plus';

const components = [
  ElAlert, ElAside, ElBadge, ElButton, ElCard, ElCheckbox, ElConfigProvider, ElContainer, ElDatePicker,
  ElDescriptions, ElDescriptionsItem, ElDialog, ElDropdown, ElDropdownItem, ElDropdownMenu,
  ElEmpty, ElForm, ElFormItem, ElHeader, ElIcon, ElInput, ElInputNumber, ElMain, ElMenu,
  ElMenuItem, ElOption, ElPopover, ElProgress, ElRadioButton, ElRadioGroup, ElResult, ElSelect, ElSwitch,
  ElTable, ElTableColumn, ElTabPane, ElTabs, ElTag, ElBadge,
];

export default {
  install(app) {
    // By name rather than app.use(): sub-components such as ElOption or
    // ElRadioButton have a no-op install of their own.
    for (const c of components) app.component(c.name, c);
    app.use(ElLoading); // the v-loading directive
  },
};
