import { lazy } from "react";
import { createBrowserRouter, Navigate } from "react-router";
import { GuestOnly, RequireCitizen, RequireRole, RequireStaff } from "./guards.tsx";
import { AppShell } from "./layout/AppShell.tsx";
import { HomePage } from "./pages/HomePage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { RouteError } from "./pages/RouteError.tsx";

// Everything but the home page loads on demand: a visitor reading the portal does not download
// the admin console, and the form pages bring the contracts' checkers (and zod) only when needed.
const LoginPage = lazy(() => import("./pages/LoginPage.tsx"));
const RegisterPage = lazy(() => import("./pages/RegisterPage.tsx"));
const MePage = lazy(() => import("./pages/MePage.tsx"));
const DataAccessPage = lazy(() => import("./exchange/DataAccessPage.tsx"));
const MyCertificatesPage = lazy(() => import("./certificates/MyCertificatesPage.tsx"));
const VerifyPage = lazy(() => import("./certificates/VerifyPage.tsx"));
const MyPaymentsPage = lazy(() => import("./payments/MyPaymentsPage.tsx"));
const InvoicePage = lazy(() => import("./payments/InvoicePage.tsx"));
const InvoiceVerifyPage = lazy(() => import("./payments/InvoiceVerifyPage.tsx"));
const ReconciliationPage = lazy(() => import("./payments/ReconciliationPage.tsx"));
const MyEnquiriesPage = lazy(() => import("./enquiries/MyEnquiriesPage.tsx"));
const NewEnquiryPage = lazy(() => import("./enquiries/NewEnquiryPage.tsx"));
const EnquiryPage = lazy(() => import("./enquiries/EnquiryPage.tsx"));
const EnquiryQueuePage = lazy(() => import("./enquiries/EnquiryQueuePage.tsx"));
const ServicesPage = lazy(() => import("./services/ServicesPage.tsx"));
const ServiceGuidePage = lazy(() => import("./services/ServiceGuidePage.tsx"));
const FederatedServicePage = lazy(() => import("./federation/FederatedServicePage.tsx"));
const FederatedCasePage = lazy(() => import("./federation/FederatedCasePage.tsx"));
const RemoteAcceptancePage = lazy(() => import("./federation/RemoteAcceptancePage.tsx"));
const ApplicationPage = lazy(() => import("./applications/ApplicationPage.tsx"));
const AccessibilityPage = lazy(() => import("./pages/AccessibilityPage.tsx"));
const WorkbenchLayout = lazy(() => import("./workbench/WorkbenchLayout.tsx"));
const WorkbenchHome = lazy(() => import("./workbench/WorkbenchHome.tsx"));
const QueuePage = lazy(() => import("./workbench/QueuePage.tsx"));
const CasePage = lazy(() => import("./workbench/CasePage.tsx"));
const DataSharingPage = lazy(() => import("./exchange/DataSharingPage.tsx"));
const ResourcePage = lazy(() => import("./exchange/ResourcePage.tsx"));
const SecurityPage = lazy(() => import("./exchange/SecurityPage.tsx"));
const DepartmentsPage = lazy(() => import("./admin/DepartmentsPage.tsx"));
const StaffPage = lazy(() => import("./admin/StaffPage.tsx"));
const AdminServicesPage = lazy(() => import("./admin/ServicesPage.tsx"));
const AdminServicePage = lazy(() => import("./admin/ServicePage.tsx"));
const ServiceEditor = lazy(() => import("./admin/ServiceEditor.tsx"));
const MessagesPage = lazy(() => import("./admin/MessagesPage.tsx"));
const SupervisionPage = lazy(() => import("./workbench/SupervisionPage.tsx"));

export const router = createBrowserRouter([
  {
    element: <AppShell />,
    children: [
      {
        // A pathless layer whose errorElement replaces only the page, keeping header and footer.
        errorElement: <RouteError />,
        children: [
          { index: true, element: <HomePage /> },
          {
            path: "login",
            element: (
              <GuestOnly>
                <LoginPage />
              </GuestOnly>
            ),
          },
          {
            path: "register",
            element: (
              <GuestOnly>
                <RegisterPage />
              </GuestOnly>
            ),
          },
          {
            path: "me",
            element: (
              <RequireCitizen>
                <MePage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/data-access",
            element: (
              <RequireCitizen>
                <DataAccessPage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/federated/:id",
            element: (
              <RequireCitizen>
                <FederatedCasePage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/certificates",
            element: (
              <RequireCitizen>
                <MyCertificatesPage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/enquiries",
            element: (
              <RequireCitizen>
                <MyEnquiriesPage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/enquiries/new",
            element: (
              <RequireCitizen>
                <NewEnquiryPage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/enquiries/:id",
            element: (
              <RequireCitizen>
                <EnquiryPage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/payments",
            element: (
              <RequireCitizen>
                <MyPaymentsPage />
              </RequireCitizen>
            ),
          },
          {
            path: "me/invoices/:id",
            element: (
              <RequireCitizen>
                <InvoicePage />
              </RequireCitizen>
            ),
          },
          { path: "verify", element: <VerifyPage /> },
          { path: "verify-invoice", element: <InvoiceVerifyPage /> },
          { path: "services", element: <ServicesPage /> },
          { path: "services/:code", element: <ServiceGuidePage /> },
          { path: "federation/services/:code", element: <FederatedServicePage /> },
          {
            path: "applications/:id",
            element: (
              <RequireCitizen>
                <ApplicationPage />
              </RequireCitizen>
            ),
          },
          { path: "accessibility", element: <AccessibilityPage /> },
          {
            element: (
              <RequireStaff>
                <WorkbenchLayout />
              </RequireStaff>
            ),
            children: [
              { path: "workbench", element: <WorkbenchHome /> },
              {
                path: "workbench/queue",
                element: (
                  <RequireRole roles={["window", "handling"]}>
                    <QueuePage />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/cases/:id",
                element: (
                  <RequireRole roles={["window", "handling", "supervisor"]}>
                    <CasePage />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/remote",
                element: (
                  <RequireRole roles={["window"]}>
                    <RemoteAcceptancePage />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/remote/:id",
                element: (
                  <RequireRole roles={["window"]}>
                    <FederatedCasePage staff />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/enquiries",
                element: (
                  <RequireRole roles={["window", "handling", "supervisor"]}>
                    <EnquiryQueuePage />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/enquiries/:id",
                element: (
                  <RequireRole roles={["window", "handling", "supervisor"]}>
                    <EnquiryPage staff />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/supervision",
                element: (
                  <RequireRole roles={["supervisor"]}>
                    <SupervisionPage />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/security",
                element: (
                  <RequireRole roles={["security_officer"]}>
                    <SecurityPage />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/data-sharing",
                element: (
                  <RequireRole roles={["data_steward"]}>
                    <DataSharingPage />
                  </RequireRole>
                ),
              },
              {
                path: "workbench/data-sharing/resources/:code",
                element: (
                  <RequireRole roles={["data_steward"]}>
                    <ResourcePage />
                  </RequireRole>
                ),
              },
              {
                path: "admin",
                element: (
                  <RequireRole roles={["admin"]}>
                    <Navigate to="/admin/departments" replace />
                  </RequireRole>
                ),
              },
              {
                path: "admin/departments",
                element: (
                  <RequireRole roles={["admin"]}>
                    <DepartmentsPage />
                  </RequireRole>
                ),
              },
              {
                path: "admin/staff",
                element: (
                  <RequireRole roles={["admin"]}>
                    <StaffPage />
                  </RequireRole>
                ),
              },
              {
                path: "admin/services",
                element: (
                  <RequireRole roles={["admin"]}>
                    <AdminServicesPage />
                  </RequireRole>
                ),
              },
              {
                path: "admin/services/:code",
                element: (
                  <RequireRole roles={["admin"]}>
                    <AdminServicePage />
                  </RequireRole>
                ),
              },
              {
                path: "admin/services/:code/edit",
                element: (
                  <RequireRole roles={["admin"]}>
                    <ServiceEditor />
                  </RequireRole>
                ),
              },
              {
                path: "admin/reconciliation",
                element: (
                  <RequireRole roles={["admin"]}>
                    <ReconciliationPage />
                  </RequireRole>
                ),
              },
              {
                path: "admin/messages",
                element: (
                  <RequireRole roles={["admin"]}>
                    <MessagesPage />
                  </RequireRole>
                ),
              },
            ],
          },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
